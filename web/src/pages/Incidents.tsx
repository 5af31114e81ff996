import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type Me } from '../api';
import type { IncidentDetail, IncidentView } from '../api-types';
import { RAISE_KEY } from './Review';

const GRADES = {
  no_harm: 'No harm',
  low: 'Low harm',
  moderate: 'Moderate harm',
  severe: 'Severe harm',
  death: 'Death',
};
type Grade = keyof typeof GRADES;
const ABOUT = {
  case: 'A case',
  service: 'A Directory service',
  pathway_version: 'A pathway version (pathway@version)',
};
type About = keyof typeof ABOUT;

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const message = (e: unknown) => (e instanceof ApiError ? e.message : String(e));

function ReportForm({ onReported }: { onReported: (i: IncidentDetail) => void }) {
  const [about, setAbout] = useState<About>('case');
  // Raised from a case (the Review screen): the report starts about it.
  const [subject, setSubject] = useState(() => {
    const raised = sessionStorage.getItem(RAISE_KEY) ?? '';
    sessionStorage.removeItem(RAISE_KEY);
    return raised;
  });
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState('');
  return (
    <form
      aria-label="Report an incident"
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        try {
          onReported(
            await api<IncidentDetail>('/api/incidents', {
              method: 'POST',
              body: { about, subject, title, description },
            }),
          );
          setSubject('');
          setTitle('');
          setDescription('');
        } catch (err) {
          setError(message(err));
        }
      }}
    >
      <h3>Report an incident</h3>
      <label>
        About{' '}
        <select value={about} onChange={(e) => setAbout(e.target.value as About)}>
          {Object.entries(ABOUT).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        Which (case id, service id or pathway@version){' '}
        <input value={subject} onChange={(e) => setSubject(e.target.value)} required />
      </label>
      <label>
        Title <input value={title} onChange={(e) => setTitle(e.target.value)} required />
      </label>
      <label>
        What happened
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} required />
      </label>
      <button type="submit">Report</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/** One incident, investigated: its grade, actions with owners, links; closed with a reason. */
function Investigation({
  incident,
  onChange,
}: {
  incident: IncidentDetail;
  onChange: (i: IncidentDetail) => void;
}) {
  const [grade, setGrade] = useState<Grade>(incident.grade ?? 'no_harm');
  const [action, setAction] = useState({ description: '', owner: '' });
  const [link, setLink] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const step = async (path: string, body: object) => {
    setError('');
    try {
      onChange(await api<IncidentDetail>(`/api/incidents/${incident.id}/${path}`, { method: 'POST', body }));
      return true;
    } catch (err) {
      setError(message(err));
      return false;
    }
  };
  const closed = incident.status === 'closed';
  return (
    <section aria-label={`Incident ${incident.id}`}>
      <h3>
        Incident {incident.id}: {incident.title}
      </h3>
      <p>
        Status: {incident.status} · grade {incident.grade ? GRADES[incident.grade] : 'not yet graded'} ·
        reported by {incident.reportedBy} {when(incident.reportedAt)} about {incident.about.replace('_', ' ')}{' '}
        {incident.subject}
      </p>
      <p>{incident.description}</p>
      {closed && (
        <p>
          Closed by {incident.closedBy}: {incident.closeReason}
        </p>
      )}
      <h4>Links</h4>
      <ul aria-label="Links">
        {incident.links.map((l) => (
          <li key={`${l.kind}-${l.ref}`}>
            {l.kind.replace('_', ' ')} {l.ref}
          </li>
        ))}
      </ul>
      <h4>Actions</h4>
      <ul aria-label="Actions">
        {incident.actions.map((a) => (
          <li key={a.id}>
            {a.description} (owner {a.owner}) · {a.status}
            {a.note ? ` · ${a.note}` : ''}
            {a.status === 'open' && !closed && (
              <>
                {' '}
                <button type="button" onClick={() => step(`actions/${a.id}`, { status: 'done' })}>
                  Done: {a.description}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {!closed && (
        <>
          <form
            aria-label="Grade the incident"
            onSubmit={(e) => {
              e.preventDefault();
              step('grade', { grade });
            }}
          >
            <label>
              Grade{' '}
              <select aria-label="Grade" value={grade} onChange={(e) => setGrade(e.target.value as Grade)}>
                {Object.entries(GRADES).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            </label>{' '}
            <button type="submit">Save the grade</button>
          </form>
          <form
            aria-label="Add an action"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await step('actions', action)) setAction({ description: '', owner: '' });
            }}
          >
            <label>
              Action{' '}
              <input
                value={action.description}
                onChange={(e) => setAction({ ...action, description: e.target.value })}
                required
              />
            </label>{' '}
            <label>
              Owner{' '}
              <input
                value={action.owner}
                onChange={(e) => setAction({ ...action, owner: e.target.value })}
                required
              />
            </label>{' '}
            <button type="submit">Add the action</button>
          </form>
          <form
            aria-label="Link a pathway version"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await step('links', { kind: link.includes('@') ? 'pathway_version' : 'case', ref: link }))
                setLink('');
            }}
          >
            <label>
              Link a case or pathway@version{' '}
              <input value={link} onChange={(e) => setLink(e.target.value)} required />
            </label>{' '}
            <button type="submit">Link</button>
          </form>
          <form
            aria-label="Close the incident"
            onSubmit={(e) => {
              e.preventDefault();
              step('close', { reason });
            }}
          >
            <label>
              Reason for closing <input value={reason} onChange={(e) => setReason(e.target.value)} required />
            </label>{' '}
            <button type="submit">Close the incident</button>
          </form>
        </>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

/** Links to the monthly governance report (the session cookie signs the request in). */
function MonthlyReport({ me }: { me: Me }) {
  const [month, setMonth] = useState(new Date().toISOString().slice(0, 7));
  const whose =
    me.role === 'commissioner' ? `&commissioner=${me.organisationCode}` : `&provider=${me.organisationCode}`;
  const url = (format: string) => `/api/governance/reports/monthly?month=${month}${whose}&format=${format}`;
  return (
    <section aria-label="Monthly governance report">
      <h3>Monthly governance report</h3>
      <label>
        Month <input type="month" value={month} onChange={(e) => setMonth(e.target.value)} />
      </label>{' '}
      <a href={url('html')} target="_blank" rel="noreferrer">
        Report (HTML, with charts)
      </a>{' '}
      <a href={url('csv')}>Report (CSV)</a>
    </section>
  );
}

/**
 * Incidents: anyone reports one (about a case, a service or a pathway version); the provider's governance
 * lead grades it, gives it actions with owners, links it and closes it once every action is done or waived.
 */
export function Incidents({ me }: { me: Me }) {
  const reads = me.role === 'governance' || me.role === 'reviewer' || me.role === 'system_admin';
  const manages = me.role === 'governance' || me.role === 'system_admin';
  const [list, setList] = useState<IncidentView[]>([]);
  const [selected, setSelected] = useState<IncidentDetail | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const refresh = useCallback(async () => {
    if (reads) setList(await api<IncidentView[]>('/api/incidents'));
  }, [reads]);
  useEffect(() => {
    refresh().catch((e: unknown) => setError(message(e)));
  }, [refresh]);
  const open = async (id: number) => {
    try {
      setSelected(await api<IncidentDetail>(`/api/incidents/${id}`));
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className="incidents">
      <h2>Incidents</h2>
      {(manages || me.role === 'commissioner') && <MonthlyReport me={me} />}
      <ReportForm
        onReported={(i) => {
          setStatus(`Reported as incident ${i.id}.`);
          refresh();
        }}
      />
      {status && <p role="status">{status}</p>}
      {error && <p role="alert">{error}</p>}
      {reads && (
        <table aria-label="Incident list">
          <thead>
            <tr>
              <th>No.</th>
              <th>Title</th>
              <th>About</th>
              <th>Grade</th>
              <th>Status</th>
              <th>Reported</th>
            </tr>
          </thead>
          <tbody>
            {list.map((i) => (
              <tr key={i.id}>
                <td>
                  <button type="button" onClick={() => open(i.id)}>
                    Open incident {i.id}
                  </button>
                </td>
                <td>{i.title}</td>
                <td>
                  {i.about.replace('_', ' ')} {i.subject}
                </td>
                <td>{i.grade ? GRADES[i.grade] : ''}</td>
                <td>{i.status}</td>
                <td>{when(i.reportedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected &&
        (manages ? (
          <Investigation
            key={selected.id}
            incident={selected}
            onChange={(i) => {
              setSelected(i);
              refresh();
            }}
          />
        ) : (
          <p>
            Incident {selected.id}: {selected.title} · {selected.status}
          </p>
        ))}
    </div>
  );
}
