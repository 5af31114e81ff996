import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rolesTable } from '../src/domain/auth/policy-table';

describe('the README', () => {
  it('states what each role may do exactly as the access policy enforces it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /<!-- roles:start -->\n([\s\S]*?)\n<!-- roles:end -->/.exec(readme)?.[1];
    // Regenerate with: node --import tsx scripts/roles-table.ts
    expect(block).toBe(rolesTable());
  });
});
