import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ApiError, api, type Me } from '../api';
import type {
  RolloutConfig as Config,
  Coverage,
  DeadlineAnswer,
  District,
  Plan,
  RouteAnswer,
  PlanRow as Row,
  CoverageTimeline as Timeline,
} from '../api-types';
import { EnglandMap, type MapPoint } from './EnglandMap';

const STATE_COLOURS: Record<string, [string, string]> = {
  pilot: ['#1b7837', 'pilot live'],
  live: ['#5aae61', 'live (own contract)'],
  default: ['#4e79a7', 'live (default provider)'],
  confirmed: ['#edc948', 'confirmed, not live yet'],
  opted_in: ['#a6cee3', 'opted in, not live yet'],
  planning: ['#f28e2b', 'plan not confirmed'],
  withdrawn: ['#e15759', 'withdrawn'],
  none: ['#c9c9c9', 'no plan'],
};

const FIRST_DAY = Date.UTC(2010, 7, 1);
const LAST_DAY = Date.UTC(2014, 1, 28);
const DAY = 86_400_000;
const dayIndex = (iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - FIRST_DAY) / DAY);
const isoOf = (index: number) => new Date(FIRST_DAY + index * DAY).toISOString().slice(0, 10);
const people = (n: number) => n.toLocaleString('en-GB');
const label = (s: string) => s.replaceAll('_', ' ');

function PlanEditor({
  row,
  config,
  onSaved,
  onCancel,
}: {
  row: Row;
  config: Config;
  onSaved: (message: string) => void;
  onCancel: () => void;
}) {
  const p = row.plan;
  const editable =
    p && (config.editableStatuses as readonly string[]).includes(p.status) ? p.status : 'planned';
  const [status, setStatus] = useState<string>(editable);
  const [model, setModel] = useState<string>(
    p && p.operatingModel !== 'default_nhs_direct_partnership' ? p.operatingModel : 'partnership',
  );
  const [providers, setProviders] = useState((p?.providerCodes ?? []).join(', '));
  const [procurement, setProcurement] = useState(p?.procurementDate ?? '');
  const [goLive, setGoLive] = useState(p?.goLiveDate ?? '');
  const [note, setNote] = useState(p?.note ?? '');
  const [problems, setProblems] = useState<Row['issues']>([]);
  const [error, setError] = useState<string | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setProblems([]);
    try {
      await api<Plan>(`/api/rollout/plans/${row.area.code}`, {
        method: 'PUT',
        headers: p ? { 'if-match': `"${p.version}"` } : {},
        body: {
          status,
          operatingModel: model,
          providerCodes: providers
            .split(/[\s,;]+/)
            .map((s) => s.trim().toUpperCase())
            .filter(Boolean),
          procurementDate: procurement || null,
          goLiveDate: goLive || null,
          note,
        },
      });
      onSaved(`Saved the plan for ${row.area.name}.`);
    } catch (err) {
      if (err instanceof ApiError) {
        setError(err.message);
        setProblems(err.problems);
      } else setError(String(err));
    }
  };

  return (
    <form onSubmit={save} className="plan-editor" aria-label={`Plan for ${row.area.name}`}>
      <h2>
        Plan for {row.area.name} <code>{row.area.code}</code>
      </h2>
      <label>
        Status
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          {config.editableStatuses.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Operating model
        <select value={model} onChange={(e) => setModel(e.target.value)}>
          {config.operatingModels.map((m) => (
            <option key={m} value={m}>
              {label(m)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Providers (codes; the first answers calls)
        <input value={providers} onChange={(e) => setProviders(e.target.value)} list="provider-codes" />
      </label>
      <datalist id="provider-codes">
        {config.providers.map((pr) => (
          <option key={pr.code} value={pr.code}>
            {pr.name}
          </option>
        ))}
      </datalist>
      <label>
        Procurement date
        <input type="date" value={procurement} onChange={(e) => setProcurement(e.target.value)} />
      </label>
      <label>
        Go-live date
        <input type="date" value={goLive} onChange={(e) => setGoLive(e.target.value)} />
      </label>
      <label>
        Note
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <div>
        <button type="submit">Save plan</button>{' '}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <div role="alert" className="error">
          <p>{error}</p>
          <ul>
            {problems.map((pr) => (
              <li key={`${pr.pointer}${pr.rule ?? ''}`}>
                {pr.rule && <strong>{pr.rule}</strong>}: {pr.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  );
}

export function Rollout({ me }: { me: Me }) {
  const [config, setConfig] = useState<Config | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [districts, setDistricts] = useState<District[]>([]);
  const [date, setDate] = useState('2012-12-01');
  const [coverage, setCoverage] = useState<Coverage | null>(null);
  const [timeline, setTimeline] = useState<Timeline | null>(null);
  const [region, setRegion] = useState(/^Q3\d$/.test(me.organisationCode) ? me.organisationCode : '');
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [postcode, setPostcode] = useState('');
  const [routeDate, setRouteDate] = useState('2013-03-01');
  const [answer, setAnswer] = useState<RouteAnswer | null>(null);
  const [version, setVersion] = useState(0);

  const fail = useCallback((e: unknown) => setError(e instanceof Error ? e.message : String(e)), []);

  useEffect(() => {
    api<Config>('/api/rollout/config').then(setConfig, fail);
    api<District[]>('/api/geography/districts').then(setDistricts, fail);
  }, [fail]);
  useEffect(() => {
    void version;
    api<Row[]>('/api/rollout/plans').then(setRows, fail);
    api<Timeline>('/api/rollout/coverage/timeline').then(setTimeline, fail);
  }, [version, fail]);
  useEffect(() => {
    void version;
    api<Coverage>(`/api/rollout/coverage?at=${date}`).then(setCoverage, fail);
  }, [date, version, fail]);

  const refresh = (msg: string) => {
    setMessage(msg);
    setError(null);
    setEditing(null);
    setVersion((v) => v + 1);
  };

  const act = async (row: Row, action: 'submit' | 'approve' | 'withdraw') => {
    if (!row.plan) return;
    try {
      await api(`/api/rollout/plans/${row.area.code}/${action}`, {
        method: 'POST',
        headers: { 'if-match': `"${row.plan.version}"` },
      });
      refresh(
        `${row.area.name}: ${action === 'submit' ? 'submitted' : action === 'approve' ? 'approved' : 'withdrawn'}.`,
      );
    } catch (e) {
      fail(e);
    }
  };

  const applyDeadline = async () => {
    try {
      const r = await api<DeadlineAnswer>('/api/rollout/deadline/apply', { method: 'POST' });
      refresh(`Deadline applied: ${r.optedIn.length} area(s) opted in to the default provider.`);
    } catch (e) {
      fail(e);
    }
  };

  const lookUp = async (e: FormEvent) => {
    e.preventDefault();
    setAnswer(null);
    try {
      setAnswer(
        await api<RouteAnswer>(
          `/api/routing?postcode=${encodeURIComponent(postcode)}&at=${encodeURIComponent(routeDate)}`,
        ),
      );
    } catch (err) {
      fail(err);
    }
  };

  const stateOf = useMemo(
    () => new Map((coverage?.areas ?? []).map((a) => [a.areaCode, a.state])),
    [coverage],
  );
  const points: MapPoint[] = useMemo(
    () =>
      districts.map((d) => {
        const s = stateOf.get(d.areaCode) ?? 'none';
        return {
          id: d.outcode,
          latitude: d.latitude,
          longitude: d.longitude,
          colour: STATE_COLOURS[s]?.[0] ?? '#888',
          title: `${d.outcode} · ${d.areaCode} · ${label(s)}`,
        };
      }),
    [districts, stateOf],
  );
  const regions = useMemo(() => [...new Set(rows.map((r) => r.area.regionCode))].sort(), [rows]);
  const shown = rows.filter((r) => !region || r.area.regionCode === region);
  const editRow = rows.find((r) => r.area.code === editing);
  const national = coverage?.national;

  return (
    <section className="rollout">
      <h1>Rollout</h1>
      {config && (
        <p className="muted">
          Submission deadline {config.calendar.submissionDeadline} · default service from{' '}
          {config.calendar.defaultGoLiveDate} · national coverage date {config.calendar.nationalCoverageDate}
          {config.canApplyDeadline && (
            <>
              {' '}
              <button type="button" onClick={applyDeadline}>
                Apply the deadline
              </button>
            </>
          )}
        </p>
      )}
      {message && (
        <p role="status" className="muted">
          {message}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}

      <div className="two-columns">
        <div>
          <h2>Coverage</h2>
          <label>
            Date
            <input
              type="date"
              aria-label="Coverage date"
              value={date}
              onChange={(e) => e.target.value && setDate(e.target.value)}
            />
          </label>
          <input
            type="range"
            aria-label="Coverage date slider"
            min={0}
            max={dayIndex(isoOf(Math.round((LAST_DAY - FIRST_DAY) / DAY)))}
            value={Math.max(0, dayIndex(date))}
            onChange={(e) => setDate(isoOf(Number(e.target.value)))}
            style={{ width: '100%' }}
          />
          {national && (
            <p data-testid="coverage-summary">
              On {coverage.date}: {national.areasCovered} of {national.areas} areas covered,{' '}
              <strong data-testid="population-covered">{people(national.populationCovered)}</strong> people (
              {((100 * national.populationCovered) / national.population).toFixed(1)}%)
            </p>
          )}
          <ul className="legend">
            {Object.entries(STATE_COLOURS).map(([k, [colour, text]]) => (
              <li key={k}>
                <span className="swatch" style={{ background: colour }} />
                {text}
              </li>
            ))}
          </ul>
          <h2>Coverage over time</h2>
          {timeline && (
            <>
              <div style={{ width: '100%', height: 220 }} data-testid="coverage-chart">
                <ResponsiveContainer>
                  <LineChart data={timeline.series} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="date" tick={{ fontSize: 11 }} minTickGap={40} />
                    <YAxis domain={[0, 100]} unit="%" tick={{ fontSize: 11 }} />
                    <Tooltip />
                    <ReferenceLine x={date.slice(0, 8).concat('01')} stroke="#111" strokeDasharray="4 2" />
                    <Line
                      type="stepAfter"
                      dataKey="populationPercent"
                      name="population covered"
                      stroke="#4e79a7"
                      dot={false}
                      isAnimationActive={false}
                    />
                  </LineChart>
                </ResponsiveContainer>
              </div>
              <p className="muted" data-testid="gaps">
                Not covered on {timeline.nationalCoverageDate}:{' '}
                {timeline.notCoveredAtNationalDate.areas.length} area(s),{' '}
                {people(timeline.notCoveredAtNationalDate.population)} people
                {timeline.notCoveredAtNationalDate.areas.length > 0 &&
                  ` (${timeline.notCoveredAtNationalDate.areas
                    .slice(0, 8)
                    .map((a) => a.name)
                    .join(', ')}${timeline.notCoveredAtNationalDate.areas.length > 8 ? ', …' : ''})`}
              </p>
            </>
          )}
          <h2>Who answers a call?</h2>
          <form onSubmit={lookUp} className="inline-form">
            <label>
              Caller's postcode
              <input value={postcode} onChange={(e) => setPostcode(e.target.value)} placeholder="LU1 3JU" />
            </label>
            <label>
              On
              <input
                type="date"
                aria-label="Call date"
                value={routeDate}
                onChange={(e) => setRouteDate(e.target.value)}
              />
            </label>
            <button type="submit">Route</button>
          </form>
          {answer && (
            <p data-testid="route-answer">
              {answer.query} ({answer.areaName}):{' '}
              {answer.live && answer.provider ? (
                <>
                  <strong>{answer.provider.name}</strong> — {label(answer.basis ?? '')}. {answer.reason}
                </>
              ) : (
                <>
                  <strong>111 not live here yet.</strong> {answer.advice}
                </>
              )}
            </p>
          )}
        </div>
        <EnglandMap points={points} label={`Map of England coloured by 111 status on ${date}`} />
      </div>

      {editRow && config && (
        <PlanEditor
          key={`${editRow.area.code}-${editRow.plan?.version ?? 0}`}
          row={editRow}
          config={config}
          onSaved={refresh}
          onCancel={() => setEditing(null)}
        />
      )}

      <h2>Areas</h2>
      <label>
        SHA
        <select value={region} onChange={(e) => setRegion(e.target.value)} aria-label="SHA">
          <option value="">All of England</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <table className="plans">
        <thead>
          <tr>
            <th>Area</th>
            <th>Status</th>
            <th>Stage</th>
            <th>Procurement</th>
            <th>Go-live</th>
            <th>Confirmed</th>
            <th>Issues</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.area.code} aria-label={r.area.name}>
              <td>
                {r.area.name} <code>{r.area.code}</code>
              </td>
              <td>{r.plan ? label(r.plan.status) : 'no plan'}</td>
              <td>{r.plan?.stage ?? ''}</td>
              <td>{r.plan?.procurementDate ?? ''}</td>
              <td>
                {r.plan?.goLiveDate ?? ''}
                {r.plan?.defaultOptIn && (
                  <span className="muted"> (default from {r.plan.defaultOptIn.goLiveDate})</span>
                )}
              </td>
              <td>{r.plan?.confirmed ? 'yes' : r.plan ? `no: ${r.plan.missing.join(', ')}` : 'no'}</td>
              <td>
                {r.issues.map((i) => (
                  <div key={i.rule} title={i.message}>
                    {i.rule}
                  </div>
                ))}
              </td>
              <td>
                {r.canEdit && (
                  <button type="button" onClick={() => setEditing(r.area.code)}>
                    Edit
                  </button>
                )}
                {r.canEdit &&
                  r.plan?.stage === 'draft' &&
                  r.plan.status !== 'withdrawn' &&
                  r.plan.status !== 'opted_in_default' && (
                    <button type="button" onClick={() => act(r, 'submit')}>
                      Submit
                    </button>
                  )}
                {r.canApprove && r.plan?.stage === 'submitted' && (
                  <button type="button" onClick={() => act(r, 'approve')}>
                    Approve
                  </button>
                )}
                {r.canEdit &&
                  r.plan &&
                  r.plan.status !== 'withdrawn' &&
                  r.plan.status !== 'opted_in_default' && (
                    <button type="button" onClick={() => act(r, 'withdraw')}>
                      Withdraw
                    </button>
                  )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/api/rollout/export.csv" download>
          Export all plans (CSV)
        </a>
      </p>
    </section>
  );
}
