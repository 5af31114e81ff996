import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { PathwayHit, TriageSession as Session } from '../api-types';
import { BodyMap, type BodyRegion } from './BodyMap';
import { QuestionView } from './QuestionView';

/** The timeframe as the disposition defines it ("within 3 working days"), never re-derived from minutes. */
function timeframe(d: { timeframeMinutes: number | null; timeframe: string }): string {
  if (d.timeframeMinutes === null) return 'Self-care: no service needed now';
  return d.timeframe.charAt(0).toUpperCase() + d.timeframe.slice(1);
}

/** The adviser's triage screen: find the pathway by symptom, one question at a time, back, then the disposition. */
export function Triage() {
  const [age, setAge] = useState('');
  const [sex, setSex] = useState<'female' | 'male' | ''>('');
  const [symptoms, setSymptoms] = useState('');
  const [hits, setHits] = useState<PathwayHit[] | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const questionRef = useRef<HTMLHeadingElement>(null);
  const outcomeRef = useRef<HTMLHeadingElement>(null);

  // Each new question (or the outcome) takes the focus, so the keyboard user is always where the work is.
  const focusKey = session
    ? `${session.next?.pathwayId}/${session.next?.id}/${session.answers.length}/${session.status}`
    : '';
  useEffect(() => {
    if (!focusKey) return;
    (session?.next ? questionRef.current : outcomeRef.current)?.focus();
  }, [focusKey, session]);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const params = new URLSearchParams({ q: symptoms });
      if (age !== '') params.set('age', age);
      if (sex) params.set('sex', sex);
      setHits(await api<PathwayHit[]>(`/api/triage/pathways?${params}`));
    });
  };

  // The body map: every pathway that fits the patient, kept to the region's, in the region's order.
  const chooseRegion = (region: BodyRegion) =>
    run(async () => {
      const params = new URLSearchParams();
      if (age !== '') params.set('age', age);
      if (sex) params.set('sex', sex);
      const fits = await api<PathwayHit[]>(`/api/triage/pathways?${params}`);
      const byId = new Map(fits.map((h) => [h.id, h]));
      const seen = new Set<string>();
      setHits(
        region.pathways.flatMap((id) => {
          const h = byId.get(id);
          if (!h || seen.has(id)) return [];
          seen.add(id);
          return [{ ...h, matched: [region.label] }];
        }),
      );
    });

  const start = (pathwayId: string) =>
    run(async () => {
      if (age === '' || !sex) throw new Error('Enter the patient’s age and sex first.');
      const s = await api<Session>('/api/triage/sessions', {
        method: 'POST',
        body: { pathwayId, patient: { ageYears: Number(age), sex } },
      });
      setSession(s);
    });

  const answer = (value: string | number) =>
    run(async () => {
      if (!session?.next) return;
      setSession(
        await api<Session>(`/api/triage/sessions/${session.id}/answers`, {
          method: 'POST',
          body: { pathwayId: session.next.pathwayId, questionId: session.next.id, value },
        }),
      );
    });

  const back = (to?: { pathwayId: string; questionId: string }) =>
    run(async () => {
      if (!session) return;
      setSession(
        await api<Session>(`/api/triage/sessions/${session.id}/back`, { method: 'POST', body: to ?? {} }),
      );
    });

  const finish = () =>
    run(async () => {
      if (!session) return;
      setSession(
        await api<Session>(`/api/triage/sessions/${session.id}/finish`, { method: 'POST', body: {} }),
      );
    });

  const reset = () => {
    setSession(null);
    setHits(null);
    setSymptoms('');
    setError(null);
  };

  const q = session?.next;
  return (
    <section className="two-columns triage">
      <div>
        <h1>Triage</h1>
        <p className="muted">Demonstration content — not for clinical use.</p>
        {!session && (
          <>
            <form onSubmit={search} className="triage-search" aria-label="Find a pathway">
              <label>
                Age (years)
                <input
                  name="age"
                  type="number"
                  min={0}
                  max={130}
                  step="any"
                  value={age}
                  onChange={(e) => setAge(e.target.value)}
                  required
                />
              </label>
              <label>
                Sex
                <select
                  name="sex"
                  value={sex}
                  onChange={(e) => setSex(e.target.value as 'female' | 'male' | '')}
                  required
                >
                  <option value="">Choose…</option>
                  <option value="female">Female</option>
                  <option value="male">Male</option>
                </select>
              </label>
              <label>
                Symptoms
                <input
                  name="symptoms"
                  value={symptoms}
                  onChange={(e) => setSymptoms(e.target.value)}
                  placeholder="in the caller’s words, e.g. can't breathe"
                />
              </label>
              <button type="submit" disabled={busy}>
                Find pathway
              </button>
            </form>
            <BodyMap ageYears={age === '' ? null : Number(age)} onChoose={(r) => void chooseRegion(r)} />
            {hits && (
              <section aria-label="Pathways found">
                {hits.length === 0 ? (
                  <p>No pathway matches for this patient. Try other words, or choose on the body map.</p>
                ) : (
                  <ul className="pathway-hits">
                    {hits.map((h) => (
                      <li key={h.id}>
                        <button type="button" onClick={() => start(h.id)} disabled={busy}>
                          {h.title}
                        </button>{' '}
                        <span className="muted">
                          {h.symptomGroup}
                          {h.matched.length > 0 && ` · matched: ${h.matched.join(', ')}`}
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}
          </>
        )}

        {session && (
          <>
            <p>
              <strong>{session.pathway.title}</strong>{' '}
              <span className="muted">
                v{session.pathway.version} · {session.patient.ageYears} years, {session.patient.sex}
              </span>
            </p>
            {q && (
              <QuestionView
                key={`${q.pathwayId}/${q.id}/${session.answers.length}`}
                question={q}
                headingRef={questionRef}
                busy={busy}
                onAnswer={(v) => void answer(v)}
                context={q.pathwayId === 'module-0' ? 'Immediate threats to life' : session.pathway.title}
              />
            )}
            {session.outcome && (
              <section
                className={`outcome outcome-${session.outcome.disposition.group}`}
                aria-label="Disposition"
              >
                <h2 ref={outcomeRef} tabIndex={-1}>
                  {session.outcome.disposition.code}: {session.outcome.disposition.title}
                </h2>
                <p className="timeframe">{timeframe(session.outcome.disposition)}</p>
                <h3>Care advice</h3>
                <ul>
                  {session.outcome.careAdvice.map((a) => (
                    <li key={a}>{a}</li>
                  ))}
                </ul>
                {session.outcome.report.length > 0 && (
                  <p className="muted">Report: {session.outcome.report.join('; ')}</p>
                )}
                {session.status === 'finished' ? (
                  <p role="status">
                    Triage finished. Session <code data-testid="triage-session-id">{session.id}</code>: record
                    it on the patient’s case with {session.outcome.disposition.code}.
                  </p>
                ) : (
                  <button type="button" onClick={finish} disabled={busy}>
                    Finish triage
                  </button>
                )}
              </section>
            )}
            <p className="actions">
              {session.status !== 'finished' && session.answers.length > 0 && (
                <button type="button" onClick={() => back()} disabled={busy}>
                  Back
                </button>
              )}{' '}
              <button type="button" onClick={reset}>
                New triage
              </button>
            </p>
          </>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
      {session && (
        <div>
          <h2>Answers</h2>
          {session.answers.length === 0 ? (
            <p className="muted">No answers yet.</p>
          ) : (
            <ol className="triage-answers" aria-label="Answers given">
              {session.answers.map((a) => (
                <li key={a.seq}>
                  {a.question} <strong>{a.label}</strong> <span className="muted">({a.answeredBy})</span>{' '}
                  {session.status !== 'finished' && (
                    <button
                      type="button"
                      className="link"
                      onClick={() => back({ pathwayId: a.pathwayId, questionId: a.questionId })}
                      aria-label={`Change the answer to: ${a.question}`}
                    >
                      Change
                    </button>
                  )}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  );
}
