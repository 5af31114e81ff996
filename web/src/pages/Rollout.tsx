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
  Region,
  RouteAnswer,
  PlanRow as Row,
  Submission,
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

/** Why each rollout rule exists, in words, shown beside the sentence that says what is wrong. */
const RULE_REASON: Record<string, string> = {
  'procurement-six-months-before-go-live':
    'A provider needs six months from contract to go-live to recruit, train and test.',
  'providers-can-dispatch-ambulance': 'Every 111 area needs a provider that can dispatch an ambulance.',
  'lead-provider-handles-calls': 'The first provider answers the calls, so it must run a call centre.',
  'providers-known': 'Only providers on the approved list can be named in a plan.',
  'operating-model-matches-providers': 'The operating model must fit the number of providers named.',
  'live-plan-needs-go-live-date': 'A live service must say when it went live.',
  'dates-are-calendar-dates': 'Dates must be real calendar dates.',
  'submission-needs-both-dates': 'The Department of Health needs both dates to confirm a plan.',
  'confirmed-by-submission-deadline':
    'Areas without a confirmed plan by the deadline are opted in to the default provider, so no one is left without 111.',
  'live-by-national-coverage-date': 'Every area must have 111 by the national coverage date.',
};

const PAGE_SIZE = 25;
type Filter = 'all' | 'mine' | 'awaiting' | 'unconfirmed' | 'live';
const FILTERS: Record<Filter, string> = {
  all: 'All areas',
  mine: 'My areas',
  awaiting: 'Awaiting my approval',
  unconfirmed: 'No confirmed date',
  live: 'Live',
};
type Sort = 'name' | 'goLive' | 'status' | 'population';
const SORTS: Record<Sort, string> = {
  name: 'Area name',
  goLive: 'Go-live date',
  status: 'Status',
  population: 'Population (largest first)',
};
const LIVE_STATUSES = new Set(['pilot_live', 'live']);

/** A question put before an action changes anything, naming what it will change. */
interface Pending {
  readonly question: string;
  readonly confirm: string;
  readonly run: () => Promise<void>;
}

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
  const [lead, setLead] = useState(p?.providerCodes[0] ?? '');
  const [partners, setPartners] = useState<string[]>([...(p?.providerCodes.slice(1) ?? [])]);
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
          providerCodes: [lead, ...partners.filter((c) => c !== lead)].filter(Boolean),
          procurementDate: procurement || null,
          goLiveDate: goLive || null,
          note,
        },
      });
      onSaved(`Saved the plan for ${row.area.name}.`);
    } catch (err) {
      if (err instanceof ApiError) {
        // The rules broken are listed as sentences below; the lead line names the area, not rule ids.
        setError(
          err.problems.length > 0
            ? `The plan for ${row.area.name} cannot be saved as it stands:`
            : err.message,
        );
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
        Provider that answers the calls
        <select value={lead} onChange={(e) => setLead(e.target.value)}>
          <option value="">— choose a provider —</option>
          {config.providers.map((pr) => (
            <option key={pr.code} value={pr.code}>
              {pr.name} ({pr.code})
            </option>
          ))}
        </select>
      </label>
      <fieldset className="provider-picker">
        <legend>Other providers in the plan</legend>
        {config.providers
          .filter((pr) => pr.code !== lead)
          .map((pr) => (
            <label key={pr.code}>
              <input
                type="checkbox"
                checked={partners.includes(pr.code)}
                onChange={(e) =>
                  setPartners((xs) => (e.target.checked ? [...xs, pr.code] : xs.filter((x) => x !== pr.code)))
                }
              />
              {pr.name} ({pr.code})
            </label>
          ))}
      </fieldset>
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
                {pr.message}
                {pr.rule && RULE_REASON[pr.rule] && <span className="muted"> {RULE_REASON[pr.rule]}</span>}
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
  const [regionNames, setRegionNames] = useState<Map<string, string>>(new Map());
  const [filter, setFilter] = useState<Filter | null>(null);
  const [sort, setSort] = useState<Sort>('name');
  const [page, setPage] = useState(0);
  const [pending, setPending] = useState<Pending | null>(null);
  const [submission, setSubmission] = useState<Submission | null>(null);

  const fail = useCallback((e: unknown) => setError(e instanceof Error ? e.message : String(e)), []);

  useEffect(() => {
    api<Config>('/api/rollout/config').then(setConfig, fail);
    api<District[]>('/api/geography/districts').then(setDistricts, fail);
    api<Region[]>('/api/geography/regions').then(
      (rs) => setRegionNames(new Map(rs.map((r) => [r.code, r.name]))),
      fail,
    );
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

  const act = async (row: Row, action: 'submit' | 'approve' | 'withdraw', confirmed = false) => {
    if (!row.plan) return;
    if (action !== 'submit' && !confirmed) {
      const goLive = row.plan.goLiveDate ? `go-live on ${row.plan.goLiveDate}` : 'no go-live date';
      setPending({
        question:
          action === 'approve'
            ? `Approve ${row.area.name}'s plan (${goLive}, providers ${row.plan.providerCodes.join(', ') || 'none'}) for your CCG? The plan becomes confirmed and counts towards coverage.`
            : `Withdraw ${row.area.name}'s plan (${goLive})? The area will have no plan: after the deadline it is opted in to the default provider.`,
        confirm: action === 'approve' ? `Approve ${row.area.name}` : `Withdraw ${row.area.name}`,
        run: () => act(row, action, true),
      });
      return;
    }
    setPending(null);
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

  const applyDeadline = async (confirmed = false) => {
    if (!confirmed) {
      const affected = rows.filter((r) => !r.plan?.confirmed && !r.plan?.defaultOptIn);
      setPending({
        question: `Apply the deadline: ${affected.length} area(s) without a confirmed plan (${affected
          .slice(0, 6)
          .map((r) => r.area.name)
          .join(', ')}${affected.length > 6 ? ', …' : ''}) will be opted in to the default provider from ${
          config?.calendar.defaultGoLiveDate ?? 'the default date'
        }.`,
        confirm: `Opt in ${affected.length} area(s)`,
        run: () => applyDeadline(true),
      });
      return;
    }
    setPending(null);
    try {
      const r = await api<DeadlineAnswer>('/api/rollout/deadline/apply', { method: 'POST' });
      refresh(`Deadline applied: ${r.optedIn.length} area(s) opted in to the default provider.`);
    } catch (e) {
      fail(e);
    }
  };

  const reviewSubmission = async () => {
    try {
      setSubmission(await api<Submission>(`/api/rollout/submissions/${region}`));
    } catch (e) {
      fail(e);
    }
  };
  const sendSubmission = async (confirmed = false) => {
    if (!submission) return;
    if (!confirmed) {
      setPending({
        question: `Send ${submission.regionName}'s submission to the Department of Health: ${submission.areas.length} areas, ${submission.areas.filter((a) => a.confirmed).length} confirmed, ${submission.outstanding.length} still outstanding? It is kept as it stands now.`,
        confirm: 'Send the submission',
        run: () => sendSubmission(true),
      });
      return;
    }
    setPending(null);
    try {
      const sent = await api<Submission>(`/api/rollout/submissions/${region}/send`, { method: 'POST' });
      setSubmission(sent);
      setMessage(`${sent.regionName}: submission sent to the Department of Health.`);
    } catch (e) {
      fail(e);
    }
  };
  const SUBMISSION_STATUS: Record<Submission['status'], string> = {
    not_sent: 'not sent yet',
    sent: 'sent',
    sent_late: 'sent after the deadline',
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
  const regionLabel = (code: string) => (regionNames.get(code) ? `${regionNames.get(code)} (${code})` : code);
  // Opens on the user's own patch: a CCG on what awaits its approval, an SHA on its areas.
  const mineAny = rows.some((r) => r.canApprove || r.canEdit);
  const awaitingAny = rows.some((r) => r.canApprove && r.plan?.stage === 'submitted');
  const national = me.organisationCode === 'DH';
  const chosenFilter: Filter = filter ?? (national || !mineAny ? 'all' : awaitingAny ? 'awaiting' : 'mine');
  const keep = (r: Row) => {
    switch (chosenFilter) {
      case 'all':
        return true;
      case 'mine':
        return r.canEdit || r.canApprove;
      case 'awaiting':
        return r.canApprove && r.plan?.stage === 'submitted';
      case 'unconfirmed':
        return !r.plan?.confirmed;
      case 'live':
        return r.plan !== null && LIVE_STATUSES.has(r.plan.status);
    }
  };
  const order = (a: Row, b: Row) => {
    switch (sort) {
      case 'name':
        return a.area.name.localeCompare(b.area.name);
      case 'goLive':
        return (a.plan?.goLiveDate ?? '9999').localeCompare(b.plan?.goLiveDate ?? '9999');
      case 'status':
        return (a.plan?.status ?? 'zz').localeCompare(b.plan?.status ?? 'zz');
      case 'population':
        return b.area.population - a.area.population;
    }
  };
  const matching = rows.filter((r) => (!region || r.area.regionCode === region) && keep(r)).sort(order);
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const at = Math.min(page, pages - 1);
  const shown = matching.slice(at * PAGE_SIZE, (at + 1) * PAGE_SIZE);
  const editRow = rows.find((r) => r.area.code === editing);
  const nationalCoverage = coverage?.national;

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
              <button type="button" onClick={() => applyDeadline()}>
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
      {pending && (
        <div role="alertdialog" aria-label="Confirm" className="confirm">
          <p>{pending.question}</p>
          <button type="button" onClick={() => void pending.run()}>
            {pending.confirm}
          </button>{' '}
          <button type="button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
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
          {nationalCoverage && (
            <p data-testid="coverage-summary">
              On {coverage.date}: {nationalCoverage.areasCovered} of {nationalCoverage.areas} areas covered,{' '}
              <strong data-testid="population-covered">{people(nationalCoverage.populationCovered)}</strong>{' '}
              people ({((100 * nationalCoverage.populationCovered) / nationalCoverage.population).toFixed(1)}
              %)
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
      <div className="inline-form">
        <label>
          SHA
          <select
            value={region}
            onChange={(e) => {
              setRegion(e.target.value);
              setPage(0);
            }}
            aria-label="SHA"
          >
            <option value="">All of England</option>
            {regions.map((r) => (
              <option key={r} value={r}>
                {regionLabel(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select
            value={chosenFilter}
            onChange={(e) => {
              setFilter(e.target.value as Filter);
              setPage(0);
            }}
          >
            {(Object.keys(FILTERS) as Filter[]).map((f) => (
              <option key={f} value={f}>
                {FILTERS[f]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            {(Object.keys(SORTS) as Sort[]).map((k) => (
              <option key={k} value={k}>
                {SORTS[k]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted" data-testid="plans-count">
        {matching.length} area(s){matching.length > PAGE_SIZE && `, page ${at + 1} of ${pages}`}
      </p>
      <table className="plans">
        <thead>
          <tr>
            <th>Area</th>
            <th>SHA</th>
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
              <td>{regionNames.get(r.area.regionCode) ?? r.area.regionCode}</td>
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
                  <p key={i.rule ?? i.message} className="issue">
                    {i.message}
                    {i.rule && RULE_REASON[i.rule] && <span className="muted"> {RULE_REASON[i.rule]}</span>}
                  </p>
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
      {pages > 1 && (
        <nav aria-label="Pages" className="inline-form">
          <button type="button" disabled={at === 0} onClick={() => setPage(at - 1)}>
            Previous
          </button>
          <span>
            Page {at + 1} of {pages}
          </span>
          <button type="button" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
            Next
          </button>
        </nav>
      )}
      {region && (
        <section aria-label="Submission to the Department of Health">
          <h2>Submission to the Department of Health</h2>
          <p>
            {regionLabel(region)}: go-live dates, geographic rollout, operating models and CCG approval, as
            one document to review and send by {config?.calendar.submissionDeadline ?? 'the deadline'}.{' '}
            <button type="button" onClick={reviewSubmission}>
              Review the submission
            </button>
          </p>
          {submission && submission.regionCode === region && (
            <>
              <p data-testid="submission-status">
                Status: <strong>{SUBMISSION_STATUS[submission.status]}</strong>
                {submission.sentAt &&
                  ` (${submission.sentAt.slice(0, 16).replace('T', ' ')} by ${submission.sentBy})`}
                . {submission.areas.filter((a) => a.confirmed).length} of {submission.areas.length} areas
                confirmed.
              </p>
              {submission.outstanding.length > 0 && (
                <ul aria-label="Outstanding">
                  {submission.outstanding.map((o) => (
                    <li key={o}>{o}</li>
                  ))}
                </ul>
              )}
              <table className="data" aria-label="Submission">
                <thead>
                  <tr>
                    <th>Area</th>
                    <th>Go-live</th>
                    <th>Operating model</th>
                    <th>Providers</th>
                    <th>CCG approval</th>
                  </tr>
                </thead>
                <tbody>
                  {submission.areas.map((a) => (
                    <tr key={a.code}>
                      <td>
                        {a.name} <code>{a.code}</code>
                      </td>
                      <td>{a.goLiveDate ?? 'none'}</td>
                      <td>{a.operatingModel ? label(a.operatingModel) : 'no plan'}</td>
                      <td>{a.providers.map((p) => p.name).join(', ')}</td>
                      <td>
                        {a.ccgApproval
                          ? `${a.ccgApproval.ccgCode}, ${a.ccgApproval.at.slice(0, 10)}`
                          : 'not yet'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted">
                Rollout:{' '}
                {submission.rollout
                  .map(
                    (r) =>
                      `${r.goLiveDate}: ${r.areas.join(', ')} (${r.cumulativePercent.toFixed(0)}% of people)`,
                  )
                  .join('; ') || 'no go-live dates yet'}
              </p>
              {me.organisationCode === region && (
                <button type="button" onClick={() => sendSubmission()}>
                  Send to the Department of Health
                </button>
              )}
            </>
          )}
        </section>
      )}
      <p>
        <a href="/api/rollout/export.csv" download>
          Export all plans (CSV)
        </a>
      </p>
    </section>
  );
}
