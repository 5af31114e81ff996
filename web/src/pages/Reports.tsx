import { type FormEvent, useCallback, useEffect, useState } from 'react';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, type Me } from '../api';
import type { Capacity, KpiReport, ReportAreas } from '../api-types';
import { csvText, saveText } from '../download';
import { MonthlyReturnPanel, PilotEvaluationPanel } from './ReturnsPanel';
import { ScenarioPanel } from './ScenarioPanel';

const ALL_LABEL: Record<ReportAreas['kind'], string> = {
  england: 'All England',
  areas: 'All my areas',
  provider: 'All our calls',
};

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const secs = (v: number | null) => (v === null ? '—' : `${Math.round(v)} s`);

function Tile({ label, value, target, ok }: { label: string; value: string; target?: string; ok?: boolean }) {
  return (
    <figure className={`tile ${ok === undefined ? '' : ok ? 'ok' : 'missed'}`}>
      <div className="tile-value">{value}</div>
      <figcaption className="tile-label">{label}</figcaption>
      {target && <div className="tile-target">target {target}</div>}
    </figure>
  );
}

export function Reports(_props: { me: Me }) {
  const [scope, setScope] = useState<ReportAreas | null>(null);
  const [area, setArea] = useState('');
  const [from, setFrom] = useState('2012-03-05');
  const [to, setTo] = useState('2012-03-12');
  const [report, setReport] = useState<KpiReport | null>(null);
  const [capacityArea, setCapacityArea] = useState('');
  const [day, setDay] = useState<'weekday' | 'weekend_or_bank_holiday'>('weekday');
  const [capacity, setCapacity] = useState<Capacity | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fail = useCallback((err: unknown) => setError(err instanceof Error ? err.message : String(err)), []);
  const load = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    const q = new URLSearchParams({ from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` });
    if (area) q.set('area', area);
    try {
      setReport(await api<KpiReport>(`/api/reports/kpis?${q}`));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const plan = async (planArea = capacityArea, e?: FormEvent) => {
    e?.preventDefault();
    if (!planArea) return;
    setError(null);
    try {
      setCapacity(
        await api<Capacity>(`/api/reports/capacity?area=${encodeURIComponent(planArea)}&day=${day}`),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once on opening; later loads are the user's.
  useEffect(() => {
    void load();
    void (async () => {
      try {
        const mine = await api<ReportAreas>('/api/reports/areas');
        setScope(mine);
        // Plan for the pilot area when it is one of the user's, else for the first of them.
        const first = mine.areas.find((a) => a.code === '5GC') ?? mine.areas[0];
        if (first) {
          setCapacityArea(first.code);
          await plan(first.code);
        }
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      }
    })();
  }, []);

  const k = report?.kpis;
  const series = (report?.series ?? []).map((s) => ({
    ...s,
    label: `${s.hour.slice(5, 10)} ${s.hour.slice(11, 13)}h`,
  }));
  return (
    <section>
      <h1>Reports</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form className="inline-form" onSubmit={load} aria-label="KPI period">
        <label>
          Area
          <select value={area} onChange={(e) => setArea(e.target.value)}>
            <option value="">{scope ? ALL_LABEL[scope.kind] : 'All'}</option>
            {scope?.areas.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name} ({a.code})
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit">Show KPIs</button>
      </form>
      {k && report && (
        <>
          <h2 data-testid="kpi-scope">KPIs: {report.scope.label}</h2>
          <div className="tiles">
            <Tile
              label="Answered within 60 s"
              value={pct(k.answeredWithin60sPercent)}
              target="≥ 95%"
              ok={(k.answeredWithin60sPercent ?? 0) >= 95}
            />
            <Tile
              label="Abandoned after 30 s"
              value={pct(k.abandonedAfter30sPercent)}
              target="< 5%"
              ok={(k.abandonedAfter30sPercent ?? 100) < 5}
            />
            <Tile label="Calls offered" value={k.offered.toLocaleString('en-GB')} />
            <Tile label="Answered" value={k.answered.toLocaleString('en-GB')} />
            <Tile
              label="Abandoned (≤30 / 30–60 / >60 s)"
              value={`${k.abandonedWithin30s} / ${k.abandonedAfter30sWithin60s} / ${k.abandonedAfter60s}`}
            />
            <Tile label="Mean wait" value={secs(k.meanWaitSeconds)} />
            <Tile label="Mean call length" value={secs(k.meanEpisodeSeconds)} />
          </div>
          <h2>Calls by hour</h2>
          <button
            type="button"
            onClick={() =>
              saveText(
                csvText([
                  ['hour', 'offered', 'answered', 'abandoned', 'answered_within_60s_pct'],
                  ...report.series.map((h) => [
                    h.hour,
                    h.offered,
                    h.answered,
                    h.abandoned,
                    h.answeredWithin60sPercent?.toFixed(1),
                  ]),
                ]),
                'kpis-by-hour.csv',
              )
            }
          >
            Download hours (CSV)
          </button>
          <div className="chart" data-testid="kpi-chart">
            <ResponsiveContainer width="100%" height={280}>
              <ComposedChart data={series}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" minTickGap={40} />
                <YAxis yAxisId="calls" />
                <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} unit="%" />
                <Tooltip />
                <Legend />
                <Bar
                  yAxisId="calls"
                  dataKey="answered"
                  stackId="c"
                  fill="#005eb8"
                  name="answered"
                  isAnimationActive={false}
                />
                <Bar
                  yAxisId="calls"
                  dataKey="abandoned"
                  stackId="c"
                  fill="#d5281b"
                  name="abandoned"
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="pct"
                  dataKey="answeredWithin60sPercent"
                  stroke="#007f3b"
                  dot={false}
                  name="% answered in 60 s"
                  isAnimationActive={false}
                />
                <ReferenceLine yAxisId="pct" y={95} stroke="#007f3b" strokeDasharray="4 4" />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
      <h2>Capacity planning</h2>
      <form className="inline-form" onSubmit={(e) => plan(capacityArea, e)} aria-label="Capacity planning">
        <label>
          Area
          <select value={capacityArea} onChange={(e) => setCapacityArea(e.target.value)}>
            {scope?.areas.map((a) => (
              <option key={a.code} value={a.code}>
                {a.name} ({a.code})
              </option>
            ))}
          </select>
        </label>
        <label>
          Day
          <select value={day} onChange={(e) => setDay(e.target.value as typeof day)}>
            <option value="weekday">Weekday</option>
            <option value="weekend_or_bank_holiday">Weekend or bank holiday</option>
          </select>
        </label>
        <button type="submit">Plan</button>
      </form>
      {capacity && (
        <>
          <p>
            <strong>{capacity.area.name}</strong> ({capacity.area.population2011.toLocaleString('en-GB')}{' '}
            people): about {Math.round(capacity.totals.calls)} calls; peak {capacity.totals.peakAdvisers}{' '}
            advisers and {capacity.totals.peakClinicians} clinicians on the phones;{' '}
            {capacity.totals.adviserHours} adviser-hours. Simulated with this rota:{' '}
            <span data-testid="simulated-sl">{pct(capacity.simulated.answeredWithin60sPercent)}</span>{' '}
            answered within 60 s.
          </p>
          <button
            type="button"
            onClick={() =>
              saveText(
                csvText([
                  ['hour', 'calls', 'advisers', 'clinicians'],
                  ...capacity.hours.map((h) => [h.hour, h.calls.toFixed(1), h.advisers, h.clinicians]),
                ]),
                `capacity-${capacity.area.code}-${capacity.day}.csv`,
              )
            }
          >
            Download plan (CSV)
          </button>
          <div className="chart" data-testid="capacity-chart">
            <ResponsiveContainer width="100%" height={260}>
              <ComposedChart data={capacity.hours}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="hour" unit="h" />
                <YAxis yAxisId="staff" />
                <YAxis yAxisId="calls" orientation="right" />
                <Tooltip />
                <Legend />
                <Bar
                  yAxisId="staff"
                  dataKey="advisers"
                  fill="#005eb8"
                  name="advisers needed"
                  isAnimationActive={false}
                />
                <Bar
                  yAxisId="staff"
                  dataKey="clinicians"
                  fill="#330072"
                  name="clinicians needed"
                  isAnimationActive={false}
                />
                <Line
                  yAxisId="calls"
                  dataKey="calls"
                  stroke="#ed8b00"
                  dot={false}
                  name="calls per hour"
                  isAnimationActive={false}
                />
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <p className="muted">
            Erlang C for 95% of calls answered within 60 s (10-minute calls) and clinician call-backs within
            10 minutes (20% of calls, 15 minutes each); rosters add 30% for breaks, training and leave. Demand
            model: 0.23 calls per person a year, weekends and bank holidays about twice a weekday.
          </p>
        </>
      )}
      <ScenarioPanel real={k} realLabel={report?.scope.label ?? 'no period shown'} onError={fail} />
      <MonthlyReturnPanel scope={scope} onError={fail} />
      <PilotEvaluationPanel scope={scope} onError={fail} />
    </section>
  );
}
