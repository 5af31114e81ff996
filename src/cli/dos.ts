import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Progress } from '../directory-exchange/exchange';
import { createServiceContext, type ServiceContext } from '../services/context';
import { exportDirectory, generateDirectory, generateHsds, importDirectory } from '../services/directory';
import { systemCaller } from '../services/use-case';
import { openMigratedStore, readConfig } from './config';

function progressBar(label: string): Progress {
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} services | ETA {eta}s`,
    stream: process.stderr,
  });
  return { start: (total) => bar.start(total, 0), update: (n) => bar.update(n), stop: () => bar.stop() };
}

/** Runs a command against the configured store, through the services, and closes the store after. */
async function withServices<T>(run: (ctx: ServiceContext) => Promise<T>): Promise<T> {
  const store = await openMigratedStore(readConfig());
  try {
    return await run(createServiceContext(store));
  } finally {
    await store.close();
  }
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
      await withServices(async (ctx) => {
        const caller = systemCaller('dos generate');
        if (opts.out) {
          const contents = await generateHsds(ctx, caller, { count, seed });
          writeFileSync(opts.out, JSON.stringify({ total_items: contents.length, contents }));
          console.log(`wrote ${contents.length} services to ${opts.out}`);
        } else {
          const n = await generateDirectory(ctx, caller, { count, seed }, progressBar('generate'));
          console.log(`generated ${n} services (seed ${seed})`);
        }
      });
    });

  dos
    .command('import <file>')
    .description(
      'import services from Open Referral UK (HSDS 3.0) JSON; bad records are listed, good ones imported',
    )
    .action(async (file: string) => {
      const text = readFileSync(file, 'utf8');
      await withServices(async (ctx) => {
        const report = await importDirectory(ctx, systemCaller('dos import'), text, progressBar('import'));
        console.log(`imported ${report.imported} of ${report.total} services; ${report.bad.length} bad`);
        for (const b of report.bad.slice(0, 50))
          console.log(`  record ${b.index}${b.id ? ` (${b.id})` : ''}: ${b.reason}`);
        if (report.bad.length > 50) console.log(`  … and ${report.bad.length - 50} more`);
        if (report.bad.length > 0) process.exitCode = 3;
      });
    });

  dos
    .command('export')
    .description('export the directory as Open Referral UK (HSDS 3.0) JSON')
    .option('--out <file>', 'write to a file (default: standard output)')
    .action(async (opts: { out?: string }) => {
      await withServices(async (ctx) => {
        const page = await exportDirectory(ctx, systemCaller('dos export'));
        const json = JSON.stringify(page, null, 1);
        if (opts.out) {
          writeFileSync(opts.out, json);
          console.error(`exported ${page.total_items} services to ${opts.out}`);
        } else process.stdout.write(`${json}\n`);
      });
    });
}
