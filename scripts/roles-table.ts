// Rewrites the README's roles table from the access policy: `node --import tsx scripts/roles-table.ts`.
// test/readme.test.ts fails when the README and the policy disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { rolesTable } from '../src/domain/auth/policy-table';

const START = '<!-- roles:start -->';
const END = '<!-- roles:end -->';
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} block`);
writeFileSync('README.md', `${readme.slice(0, from + START.length)}\n${rolesTable()}\n${readme.slice(to)}`);
