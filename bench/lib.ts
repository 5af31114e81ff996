import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export interface BenchMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target the figure is held to, in words ("≤ 0.1 ms"), and whether it was met. */
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchResult {
  readonly name: string;
  readonly at: string;
  readonly machine: string;
  readonly node: string;
  readonly metrics: readonly BenchMetric[];
  readonly notes?: readonly string[];
}

/** The p-th percentile (0–100) of a list of numbers, by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Prints the figures and writes them to bench/results/<name>.json, where the README table is built from. */
export function writeBenchResult(
  name: string,
  metrics: readonly BenchMetric[],
  notes: readonly string[] = [],
): BenchResult {
  const result: BenchResult = {
    name,
    at: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    metrics,
    notes,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  for (const m of metrics) {
    const verdict = m.target ? `  (target ${m.target}: ${m.met ? 'met' : 'NOT met'})` : '';
    console.log(`${name}: ${m.name} = ${formatNumber(m.value)} ${m.unit}${verdict}`);
  }
  return result;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}
