import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type Me } from '../api';
import type { FillResult, ReviewDetail, ReviewView, RuleView, TriageSession } from '../api-types';
import { TriageAnswers } from './TriageReplay';

const REASONS: Record<string, string> = {
  ambulance_downgraded: 'ambulance downgraded at validation',
  callback_missed: 'call-back missed its due time',
  repeat_caller: 'repeat caller',
  referral_unacknowledged: 'referral not acknowledged in time',
  self_care_followed_by_emergency: 'self-care, then 999 or A&E',
  sample: 'random sample',
};
const DISPOSITION = { correct: 'Correct', too_urgent: 'Too urgent', not_urgent_enough: 'Not urgent enough' };
const SAFETY = { safe: 'Safe', safe_with_concerns: 'Safe, with concerns', unsafe: 'Unsafe' };
const COMMUNICATION = { 1: '1 poor', 2: '2 fair', 3: '3 good', 4: '4 very good', 5: '5 excellent' };

/** Opens the Incidents screen with a report about this case started (the screen reads the key once). */
export const RAISE_KEY = 'open111.incident.case';
function RaiseIncident({ caseId }: { caseId: string }) {
  return (
    <button
      type="button"
      onClick={() => {
        sessionStorage.setItem(RAISE_KEY, caseId);
        window.location.hash = '#/incidents';
      }}
    >
      Raise an incident about {caseId}
    </button>
  );
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
const reasons = (r: ReviewView) => r.reasons.map((x) => REASONS[x] ?? x).join('; ');

function ScoreText({ r }: { r: ReviewView }) {
  if (!r.score) return <span className="muted">not yet reviewed</span>;
  return (
    <span>
      {`Disposition ${DISPOSITION[r.score.disposition].toLowerCase()}, ${SAFETY[r.score.safety].toLowerCase()}, communication ${COMMUNICATION[r.score.communication]}`}
    </span>
  );
}

/** The lead's rules: each on or off, with its parameters; and the button that fills this week's queue. */
function Rules({
  onFilled,
  onSaved,
}: {
  onFilled: (f: FillResult) => void;
  onSaved: (text: string) => void;
}) {
  const [rules, setRules] = useState<RuleView[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    api<RuleView[]>('/api/review/rules').then(setRules, (e: unknown) => setError(String(e)));
  }, []);
  const save = async (r: RuleView, change: Partial<RuleView>) => {
    setError('');
    try {
      setRules(
        await api<RuleView[]>(`/api/review/rules/${r.rule}`, {
          method: 'PUT',
          body: { enabled: change.enabled ?? r.enabled, params: change.params ?? r.params },
        }),
      );
      onSaved(`Rule ${REASONS[r.rule] ?? r.rule} saved.`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  return (
    <section aria-label="Review rules">
      <h3>Review rules</h3>
      <ul>
        {rules.map((r) => (
          <li key={r.rule}>
            <label>
              <input
                type="checkbox"
                checked={r.enabled}
                onChange={(e) => save(r, { enabled: e.target.checked })}
              />{' '}
              {REASONS[r.rule] ?? r.rule}
            </label>
            {Object.entries(r.params).map(([k, v]) => (
              <label key={k} className="param">
                {' '}
                {k}{' '}
                <input
                  aria-label={`${r.rule} ${k}`}
                  defaultValue={String(v)}
                  size={10}
                  onBlur={(e) => {
                    const value = typeof v === 'number' ? Number(e.target.value) : e.target.value;
                    if (value !== v) save(r, { params: { ...r.params, [k]: value } });
                  }}
                />
              </label>
            ))}
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={async () => {
          setError('');
          try {
            onFilled(await api<FillResult>('/api/review/queue/fill', { method: 'POST', body: {} }));
          } catch (e) {
            setError(e instanceof ApiError ? e.message : String(e));
          }
        }}
      >
        Fill this week’s queue
      </button>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}

/** The triage as the adviser saw it: each question, the answer and when; then the disposition and why. */
function Replay({ review, session }: { review: ReviewDetail; session: TriageSession | null }) {
  return (
    <section aria-label="Replay">
      <h3>
        Case {review.caseId}: {review.dispositionCode ?? 'no disposition'} · {review.outcome ?? 'no outcome'}
      </h3>
      {session ? (
        <>
          <TriageAnswers session={session} />
          {session.outcome && (
            <section aria-label="Rationale shown">
              <p>
                <strong>
                  {session.outcome.disposition.code} {session.outcome.disposition.title}
                </strong>{' '}
                (ended in {session.outcome.endedIn})
              </p>
              {session.outcome.discriminators.length > 0 && (
                <p>Because: {session.outcome.discriminators.join('; ')}</p>
              )}
              <ul>
                {session.outcome.report.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </section>
          )}
        </>
      ) : (
        <p className="muted">No triage was recorded on this case.</p>
      )}
      <RaiseIncident caseId={review.caseId} />
      <h4>Case events</h4>
      <ol aria-label="Case events">
        {review.events.map((e) => (
          <li key={e.seq}>
            {when(e.at)} {e.kind.replaceAll('_', ' ')}
          </li>
        ))}
      </ol>
    </section>
  );
}

function ScoreForm({ review, onScored }: { review: ReviewDetail; onScored: () => void }) {
  const [disposition, setDisposition] = useState<keyof typeof DISPOSITION>('correct');
  const [safety, setSafety] = useState<keyof typeof SAFETY>('safe');
  const [communication, setCommunication] = useState<1 | 2 | 3 | 4 | 5>(3);
  const [findings, setFindings] = useState('');
  const [learning, setLearning] = useState('');
  const [error, setError] = useState('');
  if (review.score)
    return (
      <p>
        Scored by {review.reviewer}: <ScoreText r={review} />
      </p>
    );
  return (
    <form
      aria-label="Score the review"
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        try {
          await api(`/api/review/reviews/${review.id}/score`, {
            method: 'POST',
            body: { disposition, safety, communication, findings, learning },
          });
          onScored();
        } catch (err) {
          setError(err instanceof ApiError ? err.message : String(err));
        }
      }}
    >
      <label>
        Correct disposition?{' '}
        <select
          value={disposition}
          onChange={(e) => setDisposition(e.target.value as keyof typeof DISPOSITION)}
        >
          {Object.entries(DISPOSITION).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        Safe?{' '}
        <select value={safety} onChange={(e) => setSafety(e.target.value as keyof typeof SAFETY)}>
          {Object.entries(SAFETY).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        Communication{' '}
        <select
          value={communication}
          onChange={(e) => setCommunication(Number(e.target.value) as 1 | 2 | 3 | 4 | 5)}
        >
          {Object.entries(COMMUNICATION).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label>
        Findings
        <textarea value={findings} onChange={(e) => setFindings(e.target.value)} rows={3} />
      </label>
      <label>
        Learning
        <textarea value={learning} onChange={(e) => setLearning(e.target.value)} rows={3} />
      </label>
      <button type="submit">Save the score</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}

/**
 * Case review. A governance lead sets the rules and fills the week's queue; a reviewer opens a queued
 * case, replays the triage as the adviser saw it and scores it; an adviser sees the reviews of their own
 * calls.
 */
export function Review({ me }: { me: Me }) {
  const reviews = me.role === 'reviewer' || me.role === 'governance' || me.role === 'system_admin';
  const own = me.role === 'health_adviser' || me.role === 'clinician';
  const [queue, setQueue] = useState<ReviewView[]>([]);
  const [mine, setMine] = useState<ReviewView[]>([]);
  const [selected, setSelected] = useState<ReviewDetail | null>(null);
  const [session, setSession] = useState<TriageSession | null>(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');

  const refresh = useCallback(async () => {
    if (reviews) setQueue(await api<ReviewView[]>('/api/review/queue'));
    if (own) setMine(await api<ReviewView[]>('/api/review/mine'));
  }, [reviews, own]);
  useEffect(() => {
    refresh().catch((e: unknown) => setError(String(e)));
  }, [refresh]);

  const open = async (id: number) => {
    setError('');
    try {
      const r = await api<ReviewDetail>(`/api/review/reviews/${id}`);
      setSelected(r);
      setSession(
        r.triageSessionId ? await api<TriageSession>(`/api/triage/sessions/${r.triageSessionId}`) : null,
      );
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };

  return (
    <div className="review">
      <h2>Case review</h2>
      {me.role === 'governance' && (
        <Rules
          onSaved={setStatus}
          onFilled={(f) => {
            setStatus(`${f.queued.length} case(s) queued from ${f.considered} of the week of ${f.week}.`);
            refresh();
          }}
        />
      )}
      {status && <p role="status">{status}</p>}
      {error && <p role="alert">{error}</p>}
      {reviews && (
        <table aria-label="Review queue">
          <thead>
            <tr>
              <th>Case</th>
              <th>Why</th>
              <th>Adviser</th>
              <th>Queued</th>
              <th>Score</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {queue.map((r) => (
              <tr key={r.id}>
                <td>{r.caseId}</td>
                <td>{reasons(r)}</td>
                <td>{r.adviser}</td>
                <td>{when(r.queuedAt)}</td>
                <td>
                  <ScoreText r={r} />
                </td>
                <td>
                  <button type="button" onClick={() => open(r.id)}>
                    Review {r.caseId}
                  </button>
                </td>
              </tr>
            ))}
            {queue.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  The queue is empty.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      {selected && (
        <>
          <Replay review={selected} session={session} />
          <ScoreForm
            review={selected}
            onScored={async () => {
              await open(selected.id);
              await refresh();
              setStatus(`The review of case ${selected.caseId} is scored.`);
            }}
          />
        </>
      )}
      {own && (
        <section aria-label="My reviews">
          <h3>Reviews of my calls</h3>
          <ul>
            {mine.map((r) => (
              <li key={r.id}>
                {r.caseId} ({reasons(r)}): <ScoreText r={r} /> <RaiseIncident caseId={r.caseId} />
                {r.score?.findings && <div>Findings: {r.score.findings}</div>}
                {r.score?.learning && <div>Learning: {r.score.learning}</div>}
              </li>
            ))}
            {mine.length === 0 && <li className="muted">None of your calls has been reviewed.</li>}
          </ul>
        </section>
      )}
    </div>
  );
}
