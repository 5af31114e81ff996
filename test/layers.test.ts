import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { breaches, importsOf, projectImports } from './layers';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the layers', () => {
  it('holds in the code: no edge imports the store, the domain imports nothing outside itself', () => {
    const found = breaches(projectImports(root)).map((b) => `${b.file}: ${b.specifier} (${b.rule})`);
    expect(found).toEqual([]);
  });

  it('reads every kind of import, so a forbidden one cannot slip past', () => {
    const source = [
      "import { a } from '../store/calls';",
      "import type { B } from '../store/schema';",
      "export { c } from '../store/db';",
      "const d = await import('../store/users');",
      "import {\n  e,\n  f,\n} from '../services/calls';",
    ].join('\n');
    const imports = importsOf('src/api/calls.ts', source);
    expect(imports.map((i) => i.target)).toEqual([
      'src/store/calls',
      'src/store/schema',
      'src/store/db',
      'src/store/users',
      'src/services/calls',
    ]);
    expect(breaches(imports).map((b) => b.specifier)).toEqual([
      '../store/calls',
      '../store/schema',
      '../store/db',
      '../store/users',
    ]);
  });

  it('refuses a domain module that reaches out, and a console that takes code rather than types', () => {
    const domain = importsOf(
      'src/domain/calls/kpis.ts',
      "import { x } from '../../store/calls';\nimport pg from 'pg';",
    );
    expect(breaches(domain).map((b) => b.rule)).toEqual([
      'src/domain imports nothing outside itself',
      'src/domain does no I/O',
    ]);
    const web = importsOf(
      'web/src/pages/Calls.tsx',
      "import type { Call } from '../../../src/api/schemas';\nimport { callBody } from '../../../src/api/calls';",
    );
    expect(breaches(web).map((b) => b.specifier)).toEqual(['../../../src/api/calls']);
  });
});
