import { type FormEvent, useState } from 'react';
import { ApiError, api, type Me } from '../api';
import type {
  SearchResult as Answer,
  GapReport,
  OpeningTimes,
  Service,
  OpeningSession as Session,
} from '../api-types';

type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const DISPOSITIONS = [
  'Dx02',
  'Dx03',
  'Dx05',
  'Dx06',
  'Dx08',
  'Dx11',
  'Dx12',
  'Dx13',
  'Dx17',
  'Dx80',
  'Dx110',
  'Dx120',
];
const RAG: Record<string, string> = { green: '#2e7d32', amber: '#f9a825', red: '#c62828' };
const message = (e: unknown) =>
  e instanceof ApiError && e.problems.length > 0
    ? `${e.message} (${e.problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')})`
    : e instanceof Error
      ? e.message
      : String(e);

const sessionsText = (s: Session[] | undefined) => (s ?? []).map((x) => `${x.open}-${x.close}`).join(', ');
function parseSessions(text: string): Session[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((x) => {
      const [open = '', close = ''] = x.split('-').map((y) => y.trim());
      return { open, close };
    });
}
const londonTime = (iso: string | null) =>
  iso
    ? new Date(iso).toLocaleString('en-GB', {
        timeZone: 'Europe/London',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '';

/** The search point and the results around it, drawn to scale (no tiles: works offline). */
function ResultsMap({ answer }: { answer: Answer }) {
  const size = 320;
  const { latitude: lat0, longitude: lng0 } = answer.location;
  const k = Math.cos((lat0 * Math.PI) / 180);
  const points = answer.results.map((r) => ({
    ...r,
    dx: (r.service.longitude - lng0) * k,
    dy: r.service.latitude - lat0,
  }));
  const extent = Math.max(0.02, ...points.map((p) => Math.max(Math.abs(p.dx), Math.abs(p.dy)))) * 1.15;
  const xy = (dx: number, dy: number): [number, number] => [
    size / 2 + (dx / extent) * (size / 2),
    size / 2 - (dy / extent) * (size / 2),
  ];
  return (
    <svg
      className="map"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label="Map of the results around the patient"
    >
      <rect x={0} y={0} width={size} height={size} fill="#f6f8fa" />
      <circle data-testid="patient" cx={size / 2} cy={size / 2} r={6} fill="#111">
        <title>Patient: {answer.location.query}</title>
      </circle>
      {points.map((p) => {
        const [x, y] = xy(p.dx, p.dy);
        return (
          <g key={p.service.id} className="result-pin">
            <circle cx={x} cy={y} r={10} fill={RAG[p.capacity] ?? '#555'} />
            <text x={x} y={y + 4} fontSize={11} textAnchor="middle" fill="#fff" fontWeight={700}>
              {p.position}
            </text>
            <title>{`${p.position}. ${p.service.name}`}</title>
          </g>
        );
      })}
    </svg>
  );
}

function OpeningEditor({ value, onChange }: { value: OpeningTimes; onChange: (v: OpeningTimes) => void }) {
  return (
    <fieldset aria-label="Opening times">
      <legend>
        Opening times (Europe/London; e.g. 08:00-13:00, 14:00-18:30; a close before the open runs past
        midnight)
      </legend>
      <label>
        <input
          type="checkbox"
          checked={value.alwaysOpen}
          onChange={(e) => onChange({ ...value, alwaysOpen: e.target.checked })}
        />{' '}
        Always open
      </label>
      {WEEKDAYS.map((d) => (
        <label key={d}>
          {d}
          <input
            aria-label={`Sessions ${d}`}
            defaultValue={sessionsText(value.weekly[d])}
            onBlur={(e) => {
              const weekly: OpeningTimes['weekly'] = { ...value.weekly };
              weekly[d] = parseSessions(e.target.value);
              onChange({ ...value, weekly });
            }}
          />
        </label>
      ))}
      <label>
        Bank holidays
        <input
          aria-label="Sessions bank holidays"
          defaultValue={sessionsText(value.bankHolidays)}
          onBlur={(e) => onChange({ ...value, bankHolidays: parseSessions(e.target.value) })}
        />
      </label>
      <label>
        Closed on (dates, comma-separated)
        <input
          aria-label="Closed dates"
          defaultValue={value.specifiedDates
            .filter((s) => s.sessions.length === 0)
            .map((s) => s.date)
            .join(', ')}
          onBlur={(e) =>
            onChange({
              ...value,
              specifiedDates: [
                ...value.specifiedDates.filter((s) => s.sessions.length > 0),
                ...e.target.value
                  .split(',')
                  .map((x) => x.trim())
                  .filter(Boolean)
                  .map((date) => ({ date, sessions: [] })),
              ],
            })
          }
        />
      </label>
    </fieldset>
  );
}

export function Directory({ me }: { me: Me }) {
  const [form, setForm] = useState({
    postcode: 'LU1 3JU',
    age: '40',
    unit: 'years',
    sex: 'female',
    disposition: 'Dx05',
    distanceKm: '60',
    at: '',
  });
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [service, setService] = useState<Service | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [resetMinutes, setResetMinutes] = useState('60');
  const [gapArea, setGapArea] = useState('5GC');
  const [gaps, setGaps] = useState<GapReport | null>(null);
  const isLead = me.role === 'dos_lead' || me.role === 'system_admin';
  const canSeeGaps = isLead || me.role === 'commissioner' || me.role === 'governance';

  const search = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setAnswer(
        await api<Answer>('/api/directory/search', {
          method: 'POST',
          body: {
            postcode: form.postcode,
            age: { value: Number(form.age), unit: form.unit },
            sex: form.sex,
            disposition: form.disposition,
            distanceKm: Number(form.distanceKm),
            ...(form.at ? { at: new Date(form.at).toISOString() } : {}),
          },
        }),
      );
    } catch (err) {
      setAnswer(null);
      setError(message(err));
    }
  };

  const open = async (id: string) => {
    setError(null);
    setSaved(null);
    try {
      setService(await api<Service>(`/api/directory/services/${encodeURIComponent(id)}`));
    } catch (err) {
      setError(message(err));
    }
  };

  const save = async () => {
    if (!service) return;
    setError(null);
    const { version, capacity: _c, effectiveCapacity: _e, typeName: _t, ...body } = service;
    try {
      const next = await api<Service>(`/api/directory/services/${encodeURIComponent(service.id)}`, {
        method: 'PUT',
        body: { version, service: body },
      });
      setService(next);
      setSaved(`Saved version ${next.version}.`);
    } catch (err) {
      setError(message(err));
    }
  };

  const setCapacity = async (status: string) => {
    if (!service) return;
    setError(null);
    try {
      const next = await api<Service>(`/api/directory/services/${encodeURIComponent(service.id)}/capacity`, {
        method: 'PUT',
        body: status === 'green' ? { status } : { status, resetAfterMinutes: Number(resetMinutes) },
      });
      setService(next);
      setSaved(`Capacity is now ${next.capacity.status}.`);
    } catch (err) {
      setError(message(err));
    }
  };

  const loadGaps = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setGaps(await api<GapReport>(`/api/directory/gaps?area=${encodeURIComponent(gapArea)}`));
    } catch (err) {
      setError(message(err));
    }
  };

  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });

  return (
    <section>
      <h1>Directory of Services</h1>
      <form onSubmit={search} className="inline-form" aria-label="Directory search">
        <label>
          Postcode
          <input {...field('postcode')} />
        </label>
        <label>
          Age
          <input {...field('age')} type="number" min={0} style={{ width: '5em' }} />
        </label>
        <label>
          Unit
          <select {...field('unit')}>
            {['years', 'months', 'weeks', 'days'].map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
        <label>
          Sex
          <select {...field('sex')}>
            {['female', 'male', 'indeterminate'].map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
        <label>
          Disposition
          <select {...field('disposition')}>
            {DISPOSITIONS.map((u) => (
              <option key={u}>{u}</option>
            ))}
          </select>
        </label>
        <label>
          Distance (km)
          <input {...field('distanceKm')} type="number" style={{ width: '5em' }} />
        </label>
        <label>
          At (optional)
          <input {...field('at')} type="datetime-local" />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {answer && (
        <div className="two-columns">
          <div>
            <p className="muted">
              {answer.disposition.code} {answer.disposition.title} · {answer.location.query} (area{' '}
              {answer.location.areaCode}) · {answer.considered} services within the distance
            </p>
            {answer.fallback && (
              <p className="error">Nothing matched: the two nearest emergency departments.</p>
            )}
            <ol aria-label="Results" className="results">
              {answer.results.map((r) => (
                <li key={r.service.id}>
                  <strong>{r.service.name}</strong> <span className="muted">{r.service.typeName}</span>{' '}
                  <span
                    className="rag"
                    style={{ background: RAG[r.capacity] }}
                    title={`capacity ${r.capacity}`}
                  >
                    {r.capacity}
                  </span>
                  <div>
                    {r.distanceKm} km · about {r.travelMinutes} min ·{' '}
                    {r.openNow ? `open until ${londonTime(r.closesAt)}` : `opens ${londonTime(r.opensAt)}`} ·{' '}
                    {r.service.professionalPhone ?? r.service.publicPhone ?? ''}
                  </div>
                  <div className="muted">{r.service.referralInstructions}</div>
                  <details>
                    <summary>Why here</summary>
                    <ul>
                      {r.why.map((w) => (
                        <li key={w}>{w}</li>
                      ))}
                    </ul>
                  </details>
                  <button type="button" onClick={() => open(r.service.id)}>
                    Open {r.service.id}
                  </button>
                </li>
              ))}
            </ol>
            {answer.gaps.length > 0 && (
              <details>
                <summary>{answer.gaps.length} nearest services that failed one filter</summary>
                <table aria-label="Gaps">
                  <tbody>
                    {answer.gaps.slice(0, 20).map((g) => (
                      <tr key={g.service.id}>
                        <td>{g.service.name}</td>
                        <td>{g.distanceKm} km</td>
                        <td>{g.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </details>
            )}
          </div>
          <ResultsMap answer={answer} />
        </div>
      )}
      {service && (
        <section aria-label="Service editor">
          <h2>
            {service.name} <code>{service.id}</code> <span className="muted">version {service.version}</span>
          </h2>
          <p>
            Capacity{' '}
            <span className="rag" style={{ background: RAG[service.effectiveCapacity] }}>
              {service.effectiveCapacity}
            </span>{' '}
            {service.capacity.resetAt && (
              <span className="muted">resets {londonTime(service.capacity.resetAt)}</span>
            )}
          </p>
          <fieldset aria-label="Capacity">
            <legend>Set capacity (staff of {service.organisationCode}, or a DoS lead)</legend>
            {['green', 'amber', 'red'].map((s) => (
              <button key={s} type="button" onClick={() => setCapacity(s)}>
                {s}
              </button>
            ))}
            <label>
              Reset after (minutes, 15–7200)
              <input
                value={resetMinutes}
                onChange={(e) => setResetMinutes(e.target.value)}
                style={{ width: '6em' }}
              />
            </label>
          </fieldset>
          {isLead && (
            <>
              <label>
                Name
                <input
                  aria-label="Service name"
                  value={service.name}
                  onChange={(e) => setService({ ...service, name: e.target.value })}
                />
              </label>
              <label>
                Status
                <select
                  value={service.status}
                  onChange={(e) => setService({ ...service, status: e.target.value as Service['status'] })}
                >
                  {['active', 'commissioning', 'suspended', 'closed'].map((s) => (
                    <option key={s}>{s}</option>
                  ))}
                </select>
              </label>
              <OpeningEditor
                key={service.version}
                value={service.openingTimes}
                onChange={(openingTimes) => setService({ ...service, openingTimes })}
              />
              <button type="button" onClick={save}>
                Save service
              </button>
            </>
          )}
          {saved && <p role="status">{saved}</p>}
        </section>
      )}
      {canSeeGaps && (
        <section aria-label="Gap report">
          <h2>Gap report</h2>
          <form onSubmit={loadGaps} className="inline-form">
            <label>
              Area
              <input value={gapArea} onChange={(e) => setGapArea(e.target.value)} style={{ width: '6em' }} />
            </label>
            <button type="submit">Show gaps</button>
          </form>
          {gaps && (
            <>
              <p>
                {Object.entries(gaps.byFilter)
                  .map(([f, n]) => `${f}: ${n}`)
                  .join(' · ') || 'No gaps logged in the last 30 days.'}
              </p>
              <table aria-label="Gaps by service">
                <thead>
                  <tr>
                    <th>Service</th>
                    <th>Failed</th>
                    <th>Disposition</th>
                    <th>Searches</th>
                  </tr>
                </thead>
                <tbody>
                  {gaps.services.slice(0, 50).map((g) => (
                    <tr key={`${g.serviceId}-${g.filter}-${g.disposition}`}>
                      <td>{g.serviceName ?? g.serviceId}</td>
                      <td>{g.filter}</td>
                      <td>{g.disposition}</td>
                      <td>{g.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      )}
    </section>
  );
}
