import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api } from '../api';
import type { Case, DispositionEntry, PathwayHit, SearchResult, TriageSession } from '../api-types';
import { QuestionView } from './QuestionView';
import { ServiceResults } from './ServiceResults';

/** Whole years between a date of birth and today. */
function ageYears(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return Math.max(0, age);
}

/** What completing the call-back with the clinician's triage sends: the session, its disposition, a service. */
export interface CallbackOutcomeBody {
  readonly triage: { triageSessionId: string; dispositionCode: string; summary: readonly string[] };
  readonly serviceId?: string;
}

/**
 * The clinician re-runs triage on a call-back, for the same patient (their age and sex from the case), and
 * ends it with an outcome as an adviser would: an ambulance, a referral chosen from the Directory's results,
 * or self-care advice. `onOutcome` completes the call-back with it (the GP message goes, the case closes).
 */
export function CallbackTriage({
  c,
  busy,
  onOutcome,
}: {
  c: Case;
  busy: boolean;
  onOutcome: (body: CallbackOutcomeBody) => Promise<void>;
}) {
  const [symptoms, setSymptoms] = useState('');
  const [pathways, setPathways] = useState<PathwayHit[] | null>(null);
  const [session, setSession] = useState<TriageSession | null>(null);
  const [catalogue, setCatalogue] = useState<DispositionEntry[]>([]);
  const [dos, setDos] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const stepRef = useRef<HTMLHeadingElement>(null);
  const sex = c.patient.sex === 'male' ? 'male' : 'female';
  const age = ageYears(c.patient.birthDate);

  useEffect(() => {
    void api<DispositionEntry[]>('/api/dispositions').then(setCatalogue, () => undefined);
  }, []);
  const focusKey = `${session?.answers.length}/${session?.status}/${dos?.results.length}`;
  useEffect(() => {
    if (focusKey) stepRef.current?.focus();
  }, [focusKey]);

  const run = async (work: () => Promise<void>) => {
    setError(null);
    setWorking(true);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setWorking(false);
    }
  };
  const disabled = busy || working;

  const findPathway = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const params = new URLSearchParams({ q: symptoms, age: String(age), sex });
      setPathways(await api<PathwayHit[]>(`/api/triage/pathways?${params}`));
    });
  };
  const start = (pathwayId: string) =>
    run(async () => {
      setSession(
        await api<TriageSession>('/api/triage/sessions', {
          method: 'POST',
          body: { pathwayId, patient: { ageYears: age, sex } },
        }),
      );
    });
  const answer = (value: string | number) =>
    run(async () => {
      if (!session?.next) return;
      setSession(
        await api<TriageSession>(`/api/triage/sessions/${session.id}/answers`, {
          method: 'POST',
          body: { pathwayId: session.next.pathwayId, questionId: session.next.id, value },
        }),
      );
    });
  const back = () =>
    run(async () => {
      if (!session) return;
      setDos(null);
      setSession(
        await api<TriageSession>(`/api/triage/sessions/${session.id}/back`, { method: 'POST', body: {} }),
      );
    });

  const reached = session?.outcome?.disposition;
  const kind = catalogue.find((d) => d.code === reached?.code)?.outcome;
  /** Finishing the session fixes its disposition; a referral then asks the Directory where to send the patient. */
  const accept = () =>
    run(async () => {
      if (!session?.outcome) return;
      const finished = await api<TriageSession>(`/api/triage/sessions/${session.id}/finish`, {
        method: 'POST',
        body: {},
      });
      setSession(finished);
      if (kind === 'referral')
        setDos(
          await api<SearchResult>('/api/directory/search', {
            method: 'POST',
            body: {
              postcode: c.patient.postcode,
              age: { value: age, unit: 'years' },
              sex,
              disposition: session.outcome.disposition.code,
              ...(c.patient.gpPracticeCode ? { gpPractice: c.patient.gpPracticeCode } : {}),
            },
          }),
        );
    });
  const outcome = (serviceId?: string) =>
    run(async () => {
      if (!session?.outcome) return;
      await onOutcome({
        triage: {
          triageSessionId: session.id,
          dispositionCode: session.outcome.disposition.code,
          summary: session.outcome.report,
        },
        ...(serviceId ? { serviceId } : {}),
      });
    });

  const q = session?.next;
  const finished = session?.status === 'finished';
  return (
    <section aria-label="Clinician triage" className="step">
      <h2>Re-run triage for {c.patient.name}</h2>
      <p className="muted">
        {age}-year-old {sex}, {c.patient.postcode}: the case’s patient.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!session && (
        <>
          <form onSubmit={findPathway} className="inline-form" aria-label="Find a pathway for the call-back">
            <label>
              Symptoms
              <input value={symptoms} onChange={(e) => setSymptoms(e.target.value)} required />
            </label>
            <button type="submit" disabled={disabled}>
              Find pathway
            </button>
          </form>
          {pathways && (
            <ul aria-label="Pathways found" className="pick-list">
              {pathways.length === 0 && <li>No pathway matches those words: try others.</li>}
              {pathways.map((h) => (
                <li key={h.id}>
                  <button type="button" onClick={() => void start(h.id)} disabled={disabled}>
                    {h.title}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {q && (
        <QuestionView
          key={`${q.pathwayId}/${q.id}/${session?.answers.length}`}
          question={q}
          headingRef={stepRef}
          busy={disabled}
          onAnswer={(v) => void answer(v)}
        >
          {session && session.answers.length > 0 && (
            <button type="button" onClick={() => void back()} disabled={disabled}>
              Back
            </button>
          )}
        </QuestionView>
      )}
      {reached && (
        <fieldset aria-label="Clinician disposition">
          <h3 ref={stepRef} tabIndex={-1} data-testid="clinician-disposition">
            {reached.code}: {reached.title}
          </h3>
          {!finished && (
            <>
              <button type="button" onClick={() => void accept()} disabled={disabled}>
                Accept disposition
              </button>{' '}
              <button type="button" onClick={() => void back()} disabled={disabled}>
                Back
              </button>
            </>
          )}
          {finished && kind === 'ambulance' && (
            <button type="button" onClick={() => void outcome()} disabled={disabled}>
              Dispatch ambulance
            </button>
          )}
          {finished && kind === 'self_care' && (
            <button type="button" onClick={() => void outcome()} disabled={disabled}>
              Give self-care advice
            </button>
          )}
          {finished && kind === 'callback' && (
            <p>
              This disposition asks for a clinician call-back: complete the call-back with notes instead, or{' '}
              <button
                type="button"
                onClick={() => {
                  setSession(null);
                  setPathways(null);
                }}
              >
                start the triage again
              </button>
              .
            </p>
          )}
        </fieldset>
      )}
      {finished && kind === 'referral' && dos && (
        <ServiceResults
          label="Services for the clinician’s disposition"
          results={dos.results}
          empty="No service is open within the timeframe."
          act={(r) => ({
            text: 'Refer here',
            label: `Refer to ${r.service.name}`,
            onClick: () => void outcome(r.service.id),
            disabled,
          })}
        />
      )}
    </section>
  );
}
