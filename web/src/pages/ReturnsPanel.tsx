import { type FormEvent, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api } from '../api';
import type { MonthlyReturn, PilotEvaluation, ReportAreas, ReturnLine } from '../api-types';
import { downloadCsv } from '../download';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(1)}%`);
const pts = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
const n = (v: number) => v.toLocaleString('en-GB');

/** Plain names for the return's shares, by CSV heading. */
const MEASURE: Record<string, string> = {
  answered_within_60s_pct: 'Answered within 60 s',
  abandoned_after_30s_pct: 'Abandoned after 30 s',
  passed_to_clinician_pct: 'Passed to a clinician',
  call_backs_within_10min_pct: 'Call-backs within 10 minutes',
  ambulance_pct: 'Ambulance dispositions',
  ae_pct: 'A&E dispositions',
  primary_care_pct: 'Primary care dispositions',
  other_pct: 'Other dispositions',
  self_care_pct: 'Self-care dispositions',
};

const SERVICE: Record<string, string> = { nhs111: 'NHS 111', nhs_direct_0845: 'NHS Direct 0845' };

function lineLabel(l: ReturnLine, scopeLabel: string): string {
  if (l.breakdown === 'total') return `Total: ${scopeLabel}`;
  if (l.breakdown === 'area') return `${l.areaName} (${l.areaCode}): all providers`;
  if (l.breakdown === 'provider') return `${l.providerName}: all areas`;
  return `${l.areaName} (${l.areaCode})`;
}

type Fail = (err: unknown) => void;

/** The national monthly return for a month: the table, and its CSV. */
export function MonthlyReturnPanel({ scope, onError }: { scope: ReportAreas | null; onError: Fail }) {
  const [month, setMonth] = useState('2010-12');
  const [area, setArea] = useState('');
  const [report, setReport] = useState<MonthlyReturn | null>(null);
  const query = () => {
    const q = new URLSearchParams({ month });
    if (area) q.set('area', area);
    return q;
  };
  const show = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setReport(await api<MonthlyReturn>(`/api/reports/monthly?${query()}`));
    } catch (err) {
      onError(err);
    }
  };
  const download = async () => {
    try {
      await downloadCsv(`/api/reports/monthly.csv?${query()}`, `monthly-return-${month}.csv`);
    } catch (err) {
      onError(err);
    }
  };
  const definition = (heading: string) => report?.columns.find((c) => c.heading === heading)?.definition;
  return (
    <>
      <h2>National monthly return</h2>
      <form className="inline-form" onSubmit={show} aria-label="Monthly return">
        <label>
          Month
          <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
        </label>
        <label>
          Area
          <select value={area} onChange={(e) => setArea(e.target.value)}>
            <option value="">All in my reach</option>
            {scope?.areas.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name} ({a.code})
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show return</button>
        <button type="button" onClick={download}>
          Download return (CSV)
        </button>
      </form>
      {report && (
        <table aria-label="Monthly return" className="data">
          <caption>
            {report.month}: {report.scope.label}. Counts in the shape of the IUC Aggregate Data Collection;
            hover a heading for its definition.
          </caption>
          <thead>
            <tr>
              <th>Line</th>
              <th>Service</th>
              <th>Provider</th>
              <th title={definition('calls_received')}>Received</th>
              <th title={definition('answered_within_60s_pct')}>Answered ≤ 60 s (≥ 95%)</th>
              <th title={definition('abandoned_after_30s_pct')}>Abandoned &gt; 30 s (&lt; 5%)</th>
              <th title={definition('calls_triaged')}>Triaged</th>
              <th title={definition('passed_to_clinician_pct')}>To a clinician</th>
              <th title={definition('call_backs_within_10min_pct')}>Call-backs ≤ 10 min</th>
              <th title={definition('ambulance_pct')}>Ambulance</th>
              <th title={definition('ae_pct')}>A&amp;E</th>
              <th title={definition('primary_care_pct')}>Primary care</th>
              <th title={definition('other_pct')}>Other</th>
              <th title={definition('self_care_pct')}>Self-care</th>
            </tr>
          </thead>
          <tbody>
            {report.lines.map((l) => (
              <tr
                key={`${l.breakdown}-${l.service}-${l.providerCode}-${l.areaCode}`}
                className={l.breakdown === 'provider_area' ? '' : 'subtotal'}
              >
                <td>{lineLabel(l, report.scope.label)}</td>
                <td>{l.service ? SERVICE[l.service] : ''}</td>
                <td>{l.breakdown === 'provider_area' ? `${l.providerName} (${l.providerCode})` : ''}</td>
                <td>{n(l.counts.callsReceived)}</td>
                <td>{pct(l.shares.answered_within_60s_pct)}</td>
                <td>{pct(l.shares.abandoned_after_30s_pct)}</td>
                <td>{n(l.counts.triaged)}</td>
                <td>{pct(l.shares.passed_to_clinician_pct)}</td>
                <td>{pct(l.shares.call_backs_within_10min_pct)}</td>
                <td>{pct(l.shares.ambulance_pct)}</td>
                <td>{pct(l.shares.ae_pct)}</td>
                <td>{pct(l.shares.primary_care_pct)}</td>
                <td>{pct(l.shares.other_pct)}</td>
                <td>{pct(l.shares.self_care_pct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Pilot evaluation for commissioners: before and after go-live, against areas not yet live. */
export function PilotEvaluationPanel({ scope, onError }: { scope: ReportAreas | null; onError: Fail }) {
  const [area, setArea] = useState('');
  const [measure, setMeasure] = useState('ambulance_pct');
  const [evaluation, setEvaluation] = useState<PilotEvaluation | null>(null);
  const chosen = area || (scope?.areas.some((a) => a.code === '5GC') ? '5GC' : (scope?.areas[0]?.code ?? ''));
  const evaluate = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setEvaluation(
        await api<PilotEvaluation>(`/api/reports/pilot-evaluation?area=${encodeURIComponent(chosen)}`),
      );
    } catch (err) {
      setEvaluation(null);
      onError(err);
    }
  };
  const download = async () => {
    try {
      await downloadCsv(
        `/api/reports/pilot-evaluation.csv?area=${encodeURIComponent(chosen)}`,
        `pilot-evaluation-${chosen}.csv`,
      );
    } catch (err) {
      onError(err);
    }
  };
  const m = evaluation?.measures.find((x) => x.heading === measure);
  const firstAfter = evaluation?.monthsAfter[0];
  return (
    <>
      <h2>Pilot evaluation</h2>
      <form className="inline-form" onSubmit={evaluate} aria-label="Pilot evaluation">
        <label>
          Area that went live
          <select value={chosen} onChange={(e) => setArea(e.target.value)}>
            {scope?.areas.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name} ({a.code})
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Evaluate</button>
        <button type="button" onClick={download}>
          Download evaluation (CSV)
        </button>
      </form>
      {evaluation && (
        <>
          <p data-testid="pilot-summary">
            <strong>{evaluation.area.name}</strong> went live on {evaluation.goLiveDate}. Compared over the
            same months with {evaluation.comparisonAreas.length} areas not yet live:{' '}
            {evaluation.comparisonAreas.map((a) => `${a.name} (${a.code})`).join(', ')}.
          </p>
          <table aria-label="Pilot evaluation" className="data">
            <thead>
              <tr>
                <th>Measure</th>
                <th>National target</th>
                <th>Pilot before</th>
                <th>Pilot after</th>
                <th>Comparison before</th>
                <th>Comparison after</th>
                <th>Difference in differences (95% interval)</th>
              </tr>
            </thead>
            <tbody>
              {evaluation.measures.map((x) => (
                <tr key={x.heading}>
                  <td title={x.definition}>{MEASURE[x.heading] ?? x.heading}</td>
                  <td>{x.target ? `${x.target.atLeast ? '≥' : '<'} ${x.target.value}%` : 'none'}</td>
                  <td>{pct(x.estimate?.pilotBefore)}</td>
                  <td>{pct(x.estimate?.pilotAfter)}</td>
                  <td>{pct(x.estimate?.comparisonBefore)}</td>
                  <td>{pct(x.estimate?.comparisonAfter)}</td>
                  <td>
                    {x.estimate
                      ? `${pts(x.estimate.difference)} points (${pts(x.estimate.low)} to ${pts(x.estimate.high)})`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{evaluation.method}</p>
          <label>
            Chart
            <select value={measure} onChange={(e) => setMeasure(e.target.value)}>
              {evaluation.measures.map((x) => (
                <option key={x.heading} value={x.heading}>
                  {MEASURE[x.heading] ?? x.heading}
                </option>
              ))}
            </select>
          </label>
          {m && (
            <div className="chart" data-testid="pilot-chart">
              <ResponsiveContainer width="100%" height={260}>
                <LineChart data={[...m.series]}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="month" />
                  <YAxis unit="%" domain={['auto', 'auto']} />
                  <Tooltip />
                  <Legend />
                  <Line
                    dataKey="pilot"
                    name={evaluation.area.name}
                    stroke="#005eb8"
                    isAnimationActive={false}
                  />
                  <Line
                    dataKey="comparison"
                    name="areas not yet live"
                    stroke="#768692"
                    isAnimationActive={false}
                  />
                  {m.target && (
                    <ReferenceLine
                      y={m.target.value}
                      ifOverflow="extendDomain"
                      stroke="#007f3b"
                      strokeDasharray="4 4"
                      label={`target ${m.target.atLeast ? '≥' : '<'} ${m.target.value}%`}
                    />
                  )}
                  {firstAfter && (
                    <ReferenceLine x={firstAfter} stroke="#d5281b" label={`live ${evaluation.goLiveDate}`} />
                  )}
                </LineChart>
              </ResponsiveContainer>
            </div>
          )}
        </>
      )}
    </>
  );
}
