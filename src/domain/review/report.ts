import { GRADE_WORDS, INCIDENT_GRADES, type IncidentGrade } from './incidents';
import {
  DISPOSITION_SCORES,
  type DispositionScore,
  SAFETY_SCORES,
  type SafetyScore,
  SCORE_WORDS,
} from './scoring';

/** The monthly governance report of one provider or one commissioner: what it counts. */
export interface GovernanceReport {
  /** YYYY-MM. */
  readonly month: string;
  /** Whose it is, in words: "provider NHSD" or "commissioner Q35". */
  readonly scope: string;
  readonly reviewsQueued: number;
  readonly reviewsDone: number;
  readonly disposition: Record<DispositionScore, number>;
  readonly safety: Record<SafetyScore, number>;
  /** Mean communication score of the reviews done (null: none done). */
  readonly communicationMean: number | null;
  readonly incidents: Record<IncidentGrade | 'ungraded', number>;
  readonly callbacks: { readonly queued: number; readonly missed: number };
  readonly validation: { readonly upgraded: number; readonly confirmed: number; readonly downgraded: number };
}

export interface ReportInputs {
  readonly month: string;
  readonly scope: string;
  readonly reviews: readonly {
    readonly scoredAt: Date | null;
    readonly disposition: DispositionScore | null;
    readonly safety: SafetyScore | null;
    readonly communication: number | null;
  }[];
  readonly incidentGrades: readonly (IncidentGrade | null)[];
  readonly callbacks: { readonly queued: number; readonly missed: number };
  /** The `result` of each validation event of the month (other values are ignored). */
  readonly validationResults: readonly unknown[];
}

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Counts a month's rows into the report. */
export function buildReport(input: ReportInputs): GovernanceReport {
  const done = input.reviews.filter((r) => r.scoredAt);
  const disposition = zeros(DISPOSITION_SCORES);
  const safety = zeros(SAFETY_SCORES);
  let communication = 0;
  for (const r of done) {
    if (r.disposition) disposition[r.disposition]++;
    if (r.safety) safety[r.safety]++;
    communication += r.communication ?? 0;
  }
  const incidents = zeros([...INCIDENT_GRADES, 'ungraded' as const]);
  for (const g of input.incidentGrades) incidents[g ?? 'ungraded']++;
  const validation = { upgraded: 0, confirmed: 0, downgraded: 0 };
  for (const v of input.validationResults)
    if (v === 'upgraded' || v === 'confirmed' || v === 'downgraded') validation[v]++;
  return {
    month: input.month,
    scope: input.scope,
    reviewsQueued: input.reviews.length,
    reviewsDone: done.length,
    disposition,
    safety,
    communicationMean: done.length ? Math.round((communication / done.length) * 100) / 100 : null,
    incidents,
    callbacks: input.callbacks,
    validation,
  };
}

/** The report's figures as rows: section, measure, value. */
export function reportRows(r: GovernanceReport): [string, string, string][] {
  return [
    ['reviews', 'queued', String(r.reviewsQueued)],
    ['reviews', 'done', String(r.reviewsDone)],
    ...DISPOSITION_SCORES.map((k): [string, string, string] => [
      'review disposition',
      SCORE_WORDS.disposition[k],
      String(r.disposition[k]),
    ]),
    ...SAFETY_SCORES.map((k): [string, string, string] => [
      'review safety',
      SCORE_WORDS.safety[k],
      String(r.safety[k]),
    ]),
    [
      'review communication',
      'mean (1 to 5)',
      r.communicationMean === null ? '' : String(r.communicationMean),
    ],
    ...[...INCIDENT_GRADES, 'ungraded' as const].map((g): [string, string, string] => [
      'incidents',
      g === 'ungraded' ? 'not yet graded' : GRADE_WORDS[g],
      String(r.incidents[g]),
    ]),
    ['call-backs', 'queued', String(r.callbacks.queued)],
    ['call-backs', 'missed their due time', String(r.callbacks.missed)],
    ['validation', 'upgraded', String(r.validation.upgraded)],
    ['validation', 'confirmed', String(r.validation.confirmed)],
    ['validation', 'downgraded', String(r.validation.downgraded)],
  ];
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** The report as CSV (RFC 4180): month, scope, section, measure, value. */
export function reportCsv(r: GovernanceReport): string {
  const lines = [['month', 'scope', 'section', 'measure', 'value']];
  for (const row of reportRows(r)) lines.push([r.month, r.scope, ...row]);
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

const escapeHtml = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A horizontal bar chart as inline SVG: one bar per label, its length in proportion to the largest. */
export function barChartSvg(title: string, bars: readonly { label: string; value: number }[]): string {
  const rowHeight = 22;
  const labelWidth = 190;
  const barWidth = 300;
  const height = bars.length * rowHeight + 30;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, i) => {
    const y = 26 + i * rowHeight;
    const w = Math.round((b.value / max) * barWidth);
    return [
      `<text x="0" y="${y + 14}" font-size="12">${escapeHtml(b.label)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="16" fill="#005eb8"><title>${escapeHtml(b.label)}: ${b.value}</title></rect>`,
      `<text x="${labelWidth + w + 6}" y="${y + 13}" font-size="12">${b.value}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${labelWidth + barWidth + 50}" height="${height}"><text x="0" y="14" font-size="14" font-weight="bold">${escapeHtml(title)}</text>${rows.join('')}</svg>`;
}

/** The report as a self-contained HTML page: its figures in a table, and four charts. */
export function reportHtml(r: GovernanceReport): string {
  const charts = [
    barChartSvg(
      'Reviews: disposition',
      DISPOSITION_SCORES.map((k) => ({ label: SCORE_WORDS.disposition[k], value: r.disposition[k] })),
    ),
    barChartSvg(
      'Reviews: safety',
      SAFETY_SCORES.map((k) => ({ label: SCORE_WORDS.safety[k], value: r.safety[k] })),
    ),
    barChartSvg(
      'Incidents by grade',
      [...INCIDENT_GRADES, 'ungraded' as const].map((g) => ({
        label: g === 'ungraded' ? 'not yet graded' : GRADE_WORDS[g],
        value: r.incidents[g],
      })),
    ),
    barChartSvg('Validation outcomes', [
      { label: 'upgraded', value: r.validation.upgraded },
      { label: 'confirmed', value: r.validation.confirmed },
      { label: 'downgraded', value: r.validation.downgraded },
    ]),
  ];
  const rows = reportRows(r)
    .map(
      ([s, m, v]) => `<tr><td>${escapeHtml(s)}</td><td>${escapeHtml(m)}</td><td>${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  const title = `Clinical governance report, ${r.month}, ${r.scope}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:Arial,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}figure{display:inline-block;margin:1em}</style></head><body><h1>${escapeHtml(title)}</h1><p>Reviews done: ${r.reviewsDone} of ${r.reviewsQueued} queued. Call-backs that missed their due time: ${r.callbacks.missed} of ${r.callbacks.queued}.</p>${charts.map((c) => `<figure>${c}</figure>`).join('')}<table><thead><tr><th>section</th><th>measure</th><th>value</th></tr></thead><tbody>${rows}</tbody></table></body></html>`;
}
