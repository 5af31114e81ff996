import { type FormEvent, useEffect, useState } from 'react';
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
import type { Kpis, ScenarioList, ScenarioRun } from '../api-types';
import { csvText, saveText } from '../download';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(1)}%`);
const int = (v: number) => Math.round(v).toLocaleString('en-GB');

/**
 * A shipped scenario run through the simulator beside the real figures of the period shown above,
 * with the rota scaled up or down so a planner sees what more or fewer staff would do.
 */
export function ScenarioPanel({
  real,
  realLabel,
  onError,
}: {
  real: Kpis | undefined;
  realLabel: string;
  onError: (err: unknown) => void;
}) {
  const [list, setList] = useState<ScenarioList>([]);
  const [id, setId] = useState('normal-week');
  const [days, setDays] = useState(3);
  const [staffing, setStaffing] = useState(100);
  const [run, setRun] = useState<ScenarioRun | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<ScenarioList>('/api/reports/scenarios').then(setList, onError);
  }, [onError]);
  const go = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      setRun(
        await api<ScenarioRun>(
          `/api/reports/scenarios/${encodeURIComponent(id)}/run?days=${days}&staffing=${staffing / 100}`,
        ),
      );
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  const rows: [string, string, string, string][] = run
    ? [
        ['Calls offered', real ? int(real.offered) : '—', int(run.calls.offered), ''],
        [
          'Answered within 60 s',
          pct(real?.answeredWithin60sPercent),
          pct(run.calls.answeredWithin60sPercent),
          '≥ 95%',
        ],
        [
          'Abandoned after 30 s',
          pct(real?.abandonedAfter30sPercent),
          pct(run.calls.abandonedAfter30sPercent),
          '< 5%',
        ],
        [
          'Mean wait',
          real?.meanWaitSeconds == null ? '—' : `${Math.round(real.meanWaitSeconds)} s`,
          run.calls.meanWaitSeconds === null ? '—' : `${Math.round(run.calls.meanWaitSeconds)} s`,
          '',
        ],
        ['Passed to a clinician', '—', pct(run.outcomes.passedToClinicianPercent), ''],
        ['Call-backs within 10 minutes', '—', pct(run.outcomes.callBacksWithin10MinPercent), '≥ 90%'],
      ]
    : [];
  const heads = ['Measure', `Real: ${realLabel}`, 'Simulated', 'Target'];
  return (
    <>
      <h2>Scenario beside the real figures</h2>
      <form className="inline-form" onSubmit={go} aria-label="Scenario">
        <label>
          Scenario
          <select value={id} onChange={(e) => setId(e.target.value)}>
            {list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.rota})
              </option>
            ))}
          </select>
        </label>
        <label>
          Days
          <input
            type="number"
            min={1}
            max={14}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          />
        </label>
        <label>
          Rota (% of the scenario’s staff)
          <input
            type="number"
            min={25}
            max={300}
            step={5}
            value={staffing}
            onChange={(e) => setStaffing(Number(e.target.value))}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Running…' : 'Run scenario'}
        </button>
      </form>
      {run && (
        <>
          <table className="data" aria-label="Scenario beside the real figures">
            <caption>
              {run.name}: {run.days} day(s) from {run.start}, rota at {Math.round(run.staffing * 100)}%.
              Simulated (a demonstration model with the scenario file’s own figures), measured by the same
              code as the real calls.
            </caption>
            <thead>
              <tr>
                {heads.map((h) => (
                  <th key={h}>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r[0]}>
                  {r.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed.
                    <td key={i}>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => saveText(csvText([heads, ...rows]), `scenario-${run.id}.csv`)}>
            Download comparison (CSV)
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              saveText(
                csvText([
                  ['date', 'offered', 'answered_within_60s_pct', 'abandoned_after_30s_pct', 'peak_advisers'],
                  ...run.daily.map((d) => [
                    d.date,
                    d.offered,
                    d.answeredWithin60sPercent?.toFixed(1),
                    d.abandonedAfter30sPercent?.toFixed(1),
                    d.peakAdvisers,
                  ]),
                ]),
                `scenario-${run.id}-days.csv`,
              )
            }
          >
            Download days (CSV)
          </button>
          <div className="chart" data-testid="scenario-chart">
            <ResponsiveContainer width="100%" height={240}>
              <LineChart data={[...run.daily]}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="date" />
                <YAxis unit="%" domain={[0, 100]} />
                <Tooltip />
                <Legend />
                <Line
                  dataKey="answeredWithin60sPercent"
                  name="% answered in 60 s"
                  stroke="#007f3b"
                  isAnimationActive={false}
                />
                <Line
                  dataKey="abandonedAfter30sPercent"
                  name="% abandoned after 30 s"
                  stroke="#d5281b"
                  isAnimationActive={false}
                />
                <ReferenceLine y={95} stroke="#007f3b" strokeDasharray="4 4" label="target 95%" />
                <ReferenceLine y={5} stroke="#d5281b" strokeDasharray="4 4" label="target 5%" />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </>
  );
}
