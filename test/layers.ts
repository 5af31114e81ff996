import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * The layering rules of open111, checked from the imports of every source file:
 *
 *   src/domain  ←  src/services  ←  src/api (REST, FHIR) · src/cli
 *                       ↓
 *                  src/store (the only SQL)
 *
 * The edges call use cases; they never reach into the store. The domain is pure: it imports nothing of
 * the project outside itself and no I/O library. The browser console takes the API's types, never its code.
 */
export interface ImportOf {
  readonly file: string;
  readonly specifier: string;
  /** The project path the specifier points at (`src/store/calls`), or undefined for a package. */
  readonly target: string | undefined;
  readonly typeOnly: boolean;
}

export interface Breach {
  readonly file: string;
  readonly specifier: string;
  readonly rule: string;
}

// `import … from 'x'`, `import type … from 'x'`, `export … from 'x'`, `import('x')`.
const IMPORT =
  /(?:^|\n)\s*(import|export)(\s+type)?[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(file: string, source: string): ImportOf[] {
  const out: ImportOf[] = [];
  for (const m of source.matchAll(IMPORT)) {
    const specifier = m[3] ?? m[4];
    if (!specifier) continue;
    const target = specifier.startsWith('.')
      ? normalize(join(dirname(file), specifier))
          .split(sep)
          .join('/')
      : undefined;
    out.push({ file, specifier, target, typeOnly: m[2] !== undefined });
  }
  return out;
}

const under = (path: string | undefined, folder: string) =>
  path !== undefined && (path === folder || path.startsWith(`${folder}/`));

/** Packages that do I/O: the domain must not reach for them. */
const IO_PACKAGES = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:child_process',
  'pg',
  'kysely',
  '@electric-sql/pglite',
  'fastify',
];

export function breaches(imports: readonly ImportOf[]): Breach[] {
  const out: Breach[] = [];
  for (const i of imports) {
    const edge = under(i.file, 'src/api') || under(i.file, 'src/cli');
    if (edge && under(i.target, 'src/store'))
      out.push({ ...i, rule: 'src/api and src/cli never import src/store: they call src/services' });
    if (under(i.file, 'src/domain')) {
      if (i.target !== undefined && !under(i.target, 'src/domain'))
        out.push({ ...i, rule: 'src/domain imports nothing outside itself' });
      if (IO_PACKAGES.includes(i.specifier)) out.push({ ...i, rule: 'src/domain does no I/O' });
    }
    if (under(i.file, 'src/services') && (under(i.target, 'src/api') || under(i.target, 'src/cli')))
      out.push({ ...i, rule: 'src/services never import the edges (src/api, src/cli)' });
    if (under(i.file, 'src/store') && (under(i.target, 'src/services') || under(i.target, 'src/api')))
      out.push({ ...i, rule: 'src/store never imports the services or the edges' });
    if (under(i.file, 'web/src') && under(i.target, 'src') && !i.typeOnly)
      out.push({ ...i, rule: 'the console imports the API’s types only (import type)' });
  }
  return out;
}

/** Every source file of the project (tests and fixtures aside), with its imports. */
export function projectImports(root: string): ImportOf[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  walk('src');
  walk('web/src');
  return files.flatMap((f) => importsOf(relative(root, join(root, f)), readFileSync(join(root, f), 'utf8')));
}
