import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { readDirectoryTypes } from '../content/directory';
import { exportHsds, importHsds, type Progress } from '../directory-exchange/exchange';
import { toHsds } from '../directory-exchange/hsds';
import { generateSyntheticDirectory } from '../domain/directory/index';
import { type Db, inTransaction } from '../store/db';
import { announceChanges, putServices } from '../store/directory';
import { loadGeography } from '../store/geography';
import { seedReference } from '../store/seed';
import { openMigratedStore, readConfig } from './config';

function progressBar(label: string): Progress {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} services | ETA {eta}s`,
    stream: process.stderr,
  });
  return { start: (total) => bar.start(total, 0), update: (n) => bar.update(n), stop: () => bar.stop() };
}

const BATCH = 1000;

/** Writes a deterministic synthetic directory of `count` services into the store. */
export async function generateIntoStore(
  db: Db,
  count: number,
  seed: number,
  progress?: Progress,
): Promise<number> {
  const services = generateSyntheticDirectory(await loadGeography(db), readDirectoryTypes(), count, seed);
  progress?.start(services.length);
  for (let i = 0; i < services.length; i += BATCH) {
    await inTransaction(db, async (tx) => {
      await putServices(tx, services.slice(i, i + BATCH));
      await announceChanges(tx, ['*']);
    });
    progress?.update(Math.min(services.length, i + BATCH));
  }
  progress?.stop();
  return services.length;
}

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not "${value}".`);
  return n;
}

/** `open111 dos …`: generate, import and export the Directory of Services. */
export function registerDosCommands(program: Command): void {
  const dos = program.command('dos').description('the Directory of Services: generate, import, export');

  dos
    .command('generate')
    .description('generate a deterministic England-scale synthetic directory')
    .option('--services <n>', 'how many services', '50000')
    .option('--seed <n>', 'the random seed (same seed, same directory)', '1')
    .option('--out <file>', 'write Open Referral UK (HSDS 3.0) JSON to a file instead of the database')
    .action(async (opts: { services: string; seed: string; out?: string }) => {
      const count = positiveInt('--services', opts.services);
      const seed = positiveInt('--seed', opts.seed);
      const store = await openMigratedStore(readConfig());
      try {
        await seedReference(store.db);
        if (opts.out) {
          const types = readDirectoryTypes();
          const name = (id: number) => types.types.find((t) => t.id === id)?.name ?? `type ${id}`;
          const services = generateSyntheticDirectory(await loadGeography(store.db), types, count, seed);
          const contents = services.map((s) => toHsds(s, name(s.typeId)));
          writeFileSync(opts.out, JSON.stringify({ total_items: contents.length, contents }));
          console.log(`wrote ${contents.length} services to ${opts.out}`);
        } else {
          const n = await generateIntoStore(store.db, count, seed, progressBar('generate'));
          console.log(`generated ${n} services (seed ${seed})`);
        }
      } finally {
        await store.close();
      }
    });

  dos
    .command('import <file>')
    .description(
      'import services from Open Referral UK (HSDS 3.0) JSON; bad records are listed, good ones imported',
    )
    .action(async (file: string) => {
      const text = readFileSync(file, 'utf8');
      const store = await openMigratedStore(readConfig());
      try {
        await seedReference(store.db);
        const report = await importHsds(store.db, text, await loadGeography(store.db), progressBar('import'));
        console.log(`imported ${report.imported} of ${report.total} services; ${report.bad.length} bad`);
        for (const b of report.bad.slice(0, 50))
          console.log(`  record ${b.index}${b.id ? ` (${b.id})` : ''}: ${b.reason}`);
        if (report.bad.length > 50) console.log(`  … and ${report.bad.length - 50} more`);
        if (report.bad.length > 0) process.exitCode = 3;
      } finally {
        await store.close();
      }
    });

  dos
    .command('export')
    .description('export the directory as Open Referral UK (HSDS 3.0) JSON')
    .option('--out <file>', 'write to a file (default: standard output)')
    .action(async (opts: { out?: string }) => {
      const store = await openMigratedStore(readConfig());
      try {
        const page = await exportHsds(store.db);
        const json = JSON.stringify(page, null, 1);
        if (opts.out) {
          writeFileSync(opts.out, json);
          console.error(`exported ${page.total_items} services to ${opts.out}`);
        } else process.stdout.write(`${json}\n`);
      } finally {
        await store.close();
      }
    });
}
