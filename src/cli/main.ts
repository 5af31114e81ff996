import cluster from 'node:cluster';
import { SingleBar } from 'cli-progress';
import { Command, CommanderError } from 'commander';
import { isDomainError } from '../domain/errors';
import { seedDemo, seedReference } from '../seed/index';
import { createServiceContext, type ServiceContext } from '../services/context';
import { placePostcode } from '../services/geography';
import { migrateStore } from '../services/runtime';
import { systemCaller } from '../services/use-case';
import { describeStore, openMigratedStore, readConfig, storeOptions } from './config';
import { registerDosCommands } from './dos';
import { importOnspd } from './import-onspd';
import { registerLoadCommand } from './load';
import { rolloutApplyDeadline, rolloutStatus, routeCommand } from './rollout';
import { serve } from './serve';
import { registerSimulateCommand } from './simulate';
import { registerTriageCommands } from './triage';
import { registerUserCommands } from './users';
import { serveWorkers } from './workers';

const program = new Command('open111')
  .description('open111: an NHS 111-style urgent care service')
  .exitOverride();

program
  .command('serve')
  .description('start the API and the browser console')
  .option('--demo', 'load the demo organisations and log-ins (demo log-ins work only with --demo)', false)
  .option('--workers <n>', 'server processes sharing the port (PostgreSQL only)', '1')
  .action(async (opts: { demo: boolean; workers: string }) => {
    const workers = Number(opts.workers);
    if (workers === 1 && !cluster.isWorker) await serve(readConfig(), { demo: opts.demo });
    else await serveWorkers(readConfig(), { demo: opts.demo, workers });
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const config = readConfig();
    const applied = await migrateStore(storeOptions(config));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : `${describeStore(config)} is up to date`);
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

/** Runs a command on the configured store (reference geography loaded) through the services. */
async function withServices(work: (ctx: ServiceContext) => Promise<string[]>) {
  const store = await openMigratedStore(readConfig());
  try {
    await seedReference(store.db);
    for (const line of await work(createServiceContext(store))) console.log(line);
  } finally {
    await store.close();
  }
}

program
  .command('lookup <postcode>')
  .description('place a postcode: district, area (PCT), region (SHA), ambulance trust')
  .option('--at <date>', 'the date to answer for (ambulance trusts merged over time)')
  .action(async (input: string, opts: { at?: string }) => {
    const at = opts.at ? new Date(opts.at) : new Date();
    if (Number.isNaN(at.getTime()))
      throw new Error(`--at must be a date such as 2012-04-01, not "${opts.at}".`);
    await withServices(async (ctx) => {
      const l = await placePostcode(ctx, systemCaller('lookup'), input, at);
      return [
        `${l.query}  (placed by ${l.basis}, ${l.confidence} confidence)`,
        `  district        ${l.district.outcode}  ${l.latitude.toFixed(4)}, ${l.longitude.toFixed(4)}`,
        `  area (PCT)      ${l.area.code}  ${l.area.name}`,
        `  region (SHA)    ${l.region.code}  ${l.region.orgName}`,
        `  ambulance trust ${l.ambulanceTrust.code}  ${l.ambulanceTrust.name}`,
      ];
    });
  });

const rolloutCommand = program.command('rollout').description('commissioning and rollout of 111');
rolloutCommand
  .command('status')
  .description('coverage per SHA and nationally on a date')
  .option('--at <date>', 'the date (default: today)')
  .action(async (opts: { at?: string }) => withServices((ctx) => rolloutStatus(ctx, opts.at)));
rolloutCommand
  .command('apply-deadline')
  .description('opt every area without a confirmed plan in to the default provider (idempotent)')
  .action(async () => withServices(rolloutApplyDeadline));
program
  .command('route <postcode>')
  .description('who answers a 111 call from a postcode at a date or instant, and why')
  .option('--at <date>', 'a date (start of the day in England) or a date-time (default: now)')
  .action(async (postcode: string, opts: { at?: string }) =>
    withServices((ctx) => routeCommand(ctx, postcode, opts.at)),
  );

const importCommand = program.command('import').description('import reference data');
importCommand
  .command('onspd <file>')
  .description('import full postcodes from an ONS Postcode Directory CSV')
  .action(async (file: string) => {
    const bar = new SingleBar({
      format: 'ONSPD [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s',
      stream: process.stderr,
    });
    await withServices(async (ctx) => {
      const report = await importOnspd(ctx, file, {
        start: (total) => bar.start(total, 0),
        update: (n) => bar.update(n),
        stop: () => bar.stop(),
      });
      return [
        `imported ${report.imported} postcodes; skipped ${report.skipped} terminated; ${report.badCount} bad rows`,
        ...report.bad.slice(0, 20).map((b) => `  line ${b.line}: ${b.reason}`),
        ...(report.badCount > 20 ? [`  … and ${report.badCount - 20} more`] : []),
      ];
    });
  });

registerTriageCommands(program);
registerDosCommands(program);
registerUserCommands(program);
registerSimulateCommand(program);
registerLoadCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = isDomainError(err) || err instanceof Error ? err.message : String(err);
  console.error(`open111: ${message}`);
  process.exit(isDomainError(err) ? 2 : 1);
}
