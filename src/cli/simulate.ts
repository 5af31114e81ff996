import { readFileSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { invalid } from '../domain/errors';
import { FlowSimulation } from '../sim/flow';
import { dailyRows, htmlReport, summaryRows, textTable } from '../sim/report';
import { compileScenario, parseScenario } from '../sim/scenario';

interface SimulateOptions {
  scenario: string;
  days?: string;
  seed?: string;
  json?: boolean;
  html?: string;
}

const whole = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw invalid(`--${name} must be a whole number, not "${v}".`);
  return Number(v);
};

/** `open111 simulate`: runs a scenario file through the whole-flow simulator, a day at a time. */
async function simulateCommand(opts: SimulateOptions): Promise<void> {
  let text: string;
  try {
    text = readFileSync(opts.scenario, 'utf8');
  } catch {
    throw invalid(`Cannot read the scenario file ${opts.scenario}.`);
  }
  const scenario = parseScenario(text, { days: whole('days', opts.days), seed: whole('seed', opts.seed) });
  const { model, start } = compileScenario(scenario);
  const sim = new FlowSimulation(model);
  // The bar goes to stderr, so --json output stays clean on stdout.
  const bar = opts.json
    ? null
    : new SingleBar({ format: ' {bar} {value}/{total} days  {eta_formatted} left', stream: process.stderr });
  bar?.start(scenario.days, 0);
  const started = performance.now();
  for (let d = 0; d < scenario.days; d++) {
    sim.runHours(24);
    bar?.update(d + 1);
    // Let the bar draw between days.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const result = sim.finish();
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  if (opts.html) writeFileSync(opts.html, htmlReport(scenario, result, start));
  if (opts.json) {
    console.log(
      JSON.stringify({
        scenario: scenario.name,
        start: scenario.start,
        days: scenario.days,
        seed: scenario.seed,
        ...result,
      }),
    );
    return;
  }
  console.log(
    `${scenario.name}: ${scenario.start}, ${scenario.days} days, seed ${scenario.seed} (simulated in ${seconds.toFixed(1)} s)\n`,
  );
  console.log(textTable([['measure', 'simulated', 'target'], ...summaryRows(result)]));
  console.log(
    `\n${textTable([['day', 'calls', 'within 60 s', 'abandoned > 30 s', 'peak advisers'], ...dailyRows(result, start)])}`,
  );
  if (opts.html) console.log(`\nreport written to ${opts.html}`);
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a planning scenario through the whole-flow simulator (content/scenarios has examples)')
    .requiredOption('--scenario <file>', 'the scenario file (YAML or JSON)')
    .option('--days <n>', 'simulate this many days instead of the scenario’s')
    .option('--seed <s>', 'the random seed (the same seed gives the same run)')
    .option('--json', 'print the result as JSON (totals and the hourly series)')
    .option('--html <file>', 'also write an HTML report with charts')
    .action(simulateCommand);
}
