import { SingleBar } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { isDomainError } from '../domain/errors';
import { parsePostcode, resolveLocation } from '../domain/geography/index';
import { migrate } from '../store/db';
import { findPostcode, loadGeography } from '../store/geography';
import { seedDemo, seedReference } from '../store/seed';
import { describeStore, openMigratedStore, readConfig } from './config';
import { registerDosCommands } from './dos';
import { importOnspd } from './import-onspd';
import { rolloutApplyDeadline, rolloutStatus, routeCommand } from './rollout';
import { serve } from './serve';
import { registerTriageCommands } from './triage';

const program = new Command('open111')
  .description('open111: an NHS 111-style urgent care service')
  .exitOverride();

program
  .command('serve')
  .description('start the API and the browser console')
  .option('--demo', 'load the demo organisations and log-ins', false)
  .action(async (opts: { demo: boolean }) => serve(readConfig(), { demo: opts.demo }));

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const config = readConfig();
    const { openStore } = await import('../store/db');
    const { storeOptions } = await import('./config');
    const store = await openStore(storeOptions(config));
    const applied = await migrate(store.db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `${describeStore(config)} is up to date`);
    await store.close();
  });

program
  .command('seed')
  .description('load England reference geography (and with --demo, the demo organisations and users)')
  .option('--demo', 'also load the demo data', false)
  .action(async (opts: { demo: boolean }) => {
    const store = await openMigratedStore(readConfig());
    const loaded = opts.demo ? await seedDemo(store.db) : await seedReference(store.db);
    console.log(loaded ? 'seeded' : 'already seeded: nothing to do');
    await store.close();
  });

program
  .command('lookup <postcode>')
  .description('place a postcode: district, area (PCT), region (SHA), ambulance trust')
  .option('--at <date>', 'the date to answer for (ambulance trusts merged over time)')
  .action(async (input: string, opts: { at?: string }) => {
    const at = opts.at ? new Date(opts.at) : new Date();
    if (Number.isNaN(at.getTime()))
      throw new Error(`--at must be a date such as 2012-04-01, not "${opts.at}".`);
    const parsed = parsePostcode(input);
    const store = await openMigratedStore(readConfig());
    try {
      await seedReference(store.db);
      const exact = parsed.kind === 'postcode' ? await findPostcode(store.db, parsed.postcode) : undefined;
      const l = resolveLocation(await loadGeography(store.db), parsed, exact, at);
      console.log(`${l.query}  (placed by ${l.basis}, ${l.confidence} confidence)`);
      console.log(
        `  district        ${l.district.outcode}  ${l.latitude.toFixed(4)}, ${l.longitude.toFixed(4)}`,
      );
      console.log(`  area (PCT)      ${l.area.code}  ${l.area.name}`);
      console.log(`  region (SHA)    ${l.region.code}  ${l.region.orgName}`);
      console.log(`  ambulance trust ${l.ambulanceTrust.code}  ${l.ambulanceTrust.name}`);
    } finally {
      await store.close();
    }
  });

async function withStore(work: (store: Awaited<ReturnType<typeof openMigratedStore>>) => Promise<string[]>) {
  const store = await openMigratedStore(readConfig());
  try {
    await seedReference(store.db);
    for (const line of await work(store)) console.log(line);
  } finally {
    await store.close();
  }
}

const rolloutCommand = program.command('rollout').description('commissioning and rollout of 111');
rolloutCommand
  .command('status')
  .description('coverage per SHA and nationally on a date')
  .option('--at <date>', 'the date (default: today)')
  .action(async (opts: { at?: string }) => withStore((s) => rolloutStatus(s, opts.at, new Date())));
rolloutCommand
  .command('apply-deadline')
  .description('opt every area without a confirmed plan in to the default provider (idempotent)')
  .action(async () => withStore((s) => rolloutApplyDeadline(s, new Date())));
program
  .command('route <postcode>')
  .description('who answers a 111 call from a postcode at a date or instant, and why')
  .option('--at <date>', 'a date (start of the day in England) or a date-time (default: now)')
  .action(async (postcode: string, opts: { at?: string }) =>
    withStore((s) => routeCommand(s, postcode, opts.at, new Date())),
  );

const importCommand = program.command('import').description('import reference data');
importCommand
  .command('onspd <file>')
  .description('import full postcodes from an ONS Postcode Directory CSV')
  .action(async (file: string) => {
    const store = await openMigratedStore(readConfig());
    try {
      await seedReference(store.db);
      const bar = new SingleBar({
        format: 'ONSPD [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s',
        stream: process.stderr,
      });
      const report = await importOnspd(store.db, file, {
        start: (total) => bar.start(total, 0),
        update: (n) => bar.update(n),
        stop: () => bar.stop(),
      });
      console.log(
        `imported ${report.imported} postcodes; skipped ${report.skipped} terminated; ${report.badCount} bad rows`,
      );
      for (const b of report.bad.slice(0, 20)) console.log(`  line ${b.line}: ${b.reason}`);
      if (report.badCount > 20) console.log(`  … and ${report.badCount - 20} more`);
    } finally {
      await store.close();
    }
  });

registerTriageCommands(program);
registerDosCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
  console.error(`open111: ${message}`);
  process.exit(isDomainError(err) ? 2 : 1);
}
