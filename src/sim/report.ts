import { TARGETS } from '../domain/calls/index';
import type { FlowResult } from './flow';
import type { Scenario } from './scenario';

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const int = (v: number) => Math.round(v).toLocaleString('en-GB');
const secs = (v: number | null) => (v === null ? '—' : `${Math.round(v)} s`);

/** The simulator's summary as rows of [measure, value, target], for a table or a terminal. */
export function summaryRows(result: FlowResult): [string, string, string][] {
  const k = result.calls;
  const o = result.outcomes;
  const met = (ok: boolean) => (ok ? '✔' : '✘');
  return [
    ['calls offered', int(k.offered), ''],
    ['calls answered', int(k.answered), ''],
    [
      'answered within 60 s',
      pct(k.answeredWithin60sPercent),
      `≥ ${TARGETS.answeredWithin60sPercent}% ${met((k.answeredWithin60sPercent ?? 0) >= TARGETS.answeredWithin60sPercent)}`,
    ],
    [
      'abandoned after 30 s',
      pct(k.abandonedAfter30sPercent),
      `< ${TARGETS.abandonedAfter30sPercent}% ${met((k.abandonedAfter30sPercent ?? 100) < TARGETS.abandonedAfter30sPercent)}`,
    ],
    ['mean wait', secs(k.meanWaitSeconds), ''],
    ['passed to a clinician', pct(o.passedToClinicianPercent), ''],
    ['warm transfers', int(o.warmTransfers), ''],
    ['call-backs', int(o.callBacks), ''],
    [
      'call-backs within 10 minutes',
      pct(o.callBacksWithin10MinPercent),
      o.callBacksMade === 0 ? '' : `≥ 90% ${met((o.callBacksWithin10MinPercent ?? 0) >= 90)}`,
    ],
    ['call-backs by their due time', pct(o.callBacksByDuePercent), ''],
    ['call-backs never made', int(result.callBacksPending), ''],
    ['validations (category 3/4, A&E)', int(o.validations), ''],
    ['ambulance', pct(o.outcomePercent.ambulance), ''],
    ['A&E', pct(o.outcomePercent.emergency_department), ''],
    ['primary care', pct(o.outcomePercent.primary_care), ''],
    ['other', pct(o.outcomePercent.other), ''],
    ['self-care', pct(o.outcomePercent.self_care), ''],
  ];
}

/** A plain-text table, columns padded. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The summary as a Markdown table (the README's form). */
export function markdownTable(result: FlowResult): string {
  return [
    '| measure | simulated | target |',
    '| --- | --- | --- |',
    ...summaryRows(result).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Days of the run: calls, service level and abandonment, from the hourly series. */
export function dailyRows(result: FlowResult, start: Date): [string, string, string, string, string][] {
  const days: [string, string, string, string, string][] = [];
  for (let d = 0; d * 24 < result.series.length; d++) {
    const hours = result.series.slice(d * 24, d * 24 + 24);
    const offered = hours.reduce((n, h) => n + h.calls.offered, 0);
    const answered = hours.reduce((n, h) => n + h.calls.answered, 0);
    const within = hours.reduce((n, h) => n + h.calls.answeredWithin60s, 0);
    const late = hours.reduce(
      (n, h) => n + h.calls.abandonedAfter30sWithin60s + h.calls.abandonedAfter60s,
      0,
    );
    const date = new Date(start.getTime() + d * 86_400_000);
    days.push([
      date.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }),
      int(offered),
      pct(answered ? (100 * within) / answered : null),
      pct(offered ? (100 * late) / offered : null),
      String(Math.max(...hours.map((h) => h.advisers))),
    ]);
  }
  return days;
}

const html = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** An SVG line chart of one hourly measure, with its target as a dashed line. */
function svgChart(values: readonly (number | null)[], label: string, max: number, target?: number): string {
  const w = 900;
  const h = 180;
  const x = (i: number) => (values.length <= 1 ? 0 : (i / (values.length - 1)) * w);
  const y = (v: number) => h - (Math.min(v, max) / max) * h;
  const points = values.flatMap((v, i) => (v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]));
  const line =
    target === undefined
      ? ''
      : `<line x1="0" x2="${w}" y1="${y(target)}" y2="${y(target)}" stroke="#d5281b" stroke-dasharray="6 4"/>`;
  return `<figure><figcaption>${html(label)}</figcaption><svg viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-label="${html(label)}"><rect width="${w}" height="${h}" fill="#f0f4f5"/>${line}<polyline fill="none" stroke="#005eb8" stroke-width="1.5" points="${points.join(' ')}"/></svg></figure>`;
}

/** A self-contained HTML report of a run: the scenario, its sources, the summary and hourly charts. */
export function htmlReport(scenario: Scenario, result: FlowResult, start: Date): string {
  const s = result.series;
  const maxCalls = Math.max(1, ...s.map((h) => h.calls.offered));
  const rows = summaryRows(result)
    .map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`)
    .join('');
  const days = dailyRows(result, start)
    .map((r) => `<tr>${r.map((c) => `<td>${html(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<!doctype html><html lang="en-GB"><meta charset="utf-8"><title>${html(scenario.name)}</title>
<style>body{font-family:Arial,sans-serif;max-width:960px;margin:2em auto;color:#212b32}table{border-collapse:collapse}td,th{border-bottom:1px solid #d8dde0;padding:4px 12px;text-align:left}figure{margin:1.5em 0}</style>
<h1>${html(scenario.name)}</h1><p><strong>Simulated (demonstration model), not recorded calls.</strong> ${html(scenario.description)}</p>
<p>${html(scenario.start)}, ${scenario.days} days, seed ${scenario.seed}.</p>
<h2>Summary</h2><table><tr><th>measure</th><th>simulated</th><th>target</th></tr>${rows}</table>
<h2>By day</h2><table><tr><th>day</th><th>calls</th><th>within 60 s</th><th>abandoned after 30 s</th><th>peak advisers</th></tr>${days}</table>
<h2>By hour</h2>
${svgChart(
  s.map((h) => h.calls.offered),
  `Calls offered per hour (peak ${int(maxCalls)})`,
  maxCalls,
)}
${svgChart(
  s.map((h) => h.calls.answeredWithin60sPercent),
  'Answered within 60 s, % (target 95%)',
  100,
  TARGETS.answeredWithin60sPercent,
)}
${svgChart(
  s.map((h) => h.calls.abandonedAfter30sPercent),
  'Abandoned after 30 s, % (target under 5%)',
  40,
  TARGETS.abandonedAfter30sPercent,
)}
${svgChart(
  s.map((h) => h.outcomes.callBacksWithin10MinPercent),
  'Call-backs within 10 minutes, %',
  100,
  90,
)}
<h2>Sources</h2><ul>${scenario.sources.map((x) => `<li>${html(x)}</li>`).join('')}</ul></html>
`;
}
