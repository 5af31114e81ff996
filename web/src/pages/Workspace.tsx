import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, getToken } from '../api';
import type {
  Call,
  Case,
  LiveQueue,
  Location,
  PathwayHit,
  SearchResult,
  Service,
  TriageSession,
} from '../api-types';
import { QuestionView } from './QuestionView';
import { ServiceResults } from './ServiceResults';

type Sex = 'female' | 'male';

/** Whole years between a date of birth and today: what triage and the Directory are asked with. */
function ageYears(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return Math.max(0, age);
}

const minutes = (s: number) =>
  s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;

/**
 * The live queue, as the server pushes it (server-sent events read with fetch, so the bearer token
 * goes in a header and never in a URL).
 */
export function useLiveQueue(): LiveQueue | null {
  const [queue, setQueue] = useState<LiveQueue | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      try {
        const res = await fetch('/api/queue/stream', {
          headers: { authorization: `Bearer ${getToken() ?? ''}`, accept: 'text/event-stream' },
          signal: abort.signal,
        });
        const reader = res.body?.getReader();
        if (!reader || !res.ok) return;
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const data = buffer
              .slice(0, end)
              .split('\n')
              .find((l) => l.startsWith('data: '));
            if (data) setQueue(JSON.parse(data.slice(6)) as LiveQueue);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Aborted on leaving the screen, or the server went away: the screen shows the last view.
      }
    })();
    return () => abort.abort();
  }, []);
  return queue;
}

interface Patient {
  nhsNumber: string;
  name: string;
  birthDate: string;
  sex: Sex | '';
  postcode: string;
  phone: string;
}

/**
 * The adviser's one screen for a call, top to bottom: answer next → caller and patient → location →
 * triage → the Directory's services for the disposition → refer or dispatch → close. Every value
 * flows from one step to the next: nothing is typed twice and no id is copied.
 */
export function Workspace() {
  const queue = useLiveQueue();
  const [call, setCall] = useState<Call | null>(null);
  const [repeat, setRepeat] = useState<{ repeat: boolean; earlier: { offeredAt: string }[] } | null>(null);
  const [patient, setPatient] = useState<Patient>({
    nhsNumber: '',
    name: '',
    birthDate: '',
    sex: '',
    postcode: '',
    phone: '',
  });
  const [gpQuery, setGpQuery] = useState('');
  const [gpHits, setGpHits] = useState<Service[]>([]);
  const [gp, setGp] = useState<{ code: string; name: string } | null>(null);
  const [theCase, setTheCase] = useState<Case | null>(null);
  const [location, setLocation] = useState<Location | null>(null);
  const [symptoms, setSymptoms] = useState('');
  const [pathways, setPathways] = useState<PathwayHit[] | null>(null);
  const [session, setSession] = useState<TriageSession | null>(null);
  const [dos, setDos] = useState<SearchResult | null>(null);
  const [closed, setClosed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stepRef = useRef<HTMLHeadingElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);

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

  // Each new question, disposition or step takes the focus: the keyboard is always where the work is.
  const focusKey = `${call?.id}/${theCase?.status}/${session?.answers.length}/${session?.status}/${dos?.results.length}`;
  useEffect(() => {
    if (focusKey) stepRef.current?.focus();
  }, [focusKey]);
  useEffect(() => {
    if (call && !theCase) nameRef.current?.focus();
  }, [call, theCase]);
  // "N" answers the next call (when no field has the focus and no call is in hand): keyboard first.
  const free = call === null || closed;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.key !== 'n' || !free || target?.closest('input, select, textarea')) return;
      e.preventDefault();
      document.getElementById('answer-next')?.click();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [free]);

  const reset = () => {
    setCall(null);
    setRepeat(null);
    setPatient({ nhsNumber: '', name: '', birthDate: '', sex: '', postcode: '', phone: '' });
    setGpQuery('');
    setGpHits([]);
    setGp(null);
    setTheCase(null);
    setLocation(null);
    setSymptoms('');
    setPathways(null);
    setSession(null);
    setDos(null);
    setClosed(false);
  };

  const answerNext = () =>
    run(async () => {
      reset();
      const answered = await api<Call | undefined>('/api/calls/answer-next', { method: 'POST' });
      if (!answered) throw new Error('No call is waiting.');
      setCall(answered);
      setPatient((p) => ({
        ...p,
        phone: answered.callerNumber && answered.callerNumber !== 'withheld' ? answered.callerNumber : '',
      }));
      setRepeat(await api(`/api/calls/${answered.id}/repeat`));
    });

  const findGp = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const hits = await api<Service[]>(
        `/api/directory/services?type=100&limit=8&name=${encodeURIComponent(gpQuery)}`,
      );
      setGpHits(hits.filter((s) => s.odsCode));
    });
  };

  const openCase = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (!call) return;
      if (!patient.sex) throw new Error('Choose the patient’s sex.');
      const opened = await api<Case>('/api/cases', {
        method: 'POST',
        body: {
          callId: call.id,
          patient: {
            name: patient.name,
            birthDate: patient.birthDate,
            sex: patient.sex,
            postcode: patient.postcode,
            ...(patient.phone ? { phone: patient.phone } : {}),
            ...(patient.nhsNumber.trim() ? { nhsNumber: patient.nhsNumber.trim() } : {}),
            ...(gp ? { gpPracticeCode: gp.code } : {}),
          },
        },
      });
      setTheCase(opened);
      setLocation(await api<Location>(`/api/geography/postcodes/${encodeURIComponent(patient.postcode)}`));
    });
  };

  const findPathway = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const params = new URLSearchParams({
        q: symptoms,
        age: String(ageYears(patient.birthDate)),
        sex: patient.sex,
      });
      setPathways(await api<PathwayHit[]>(`/api/triage/pathways?${params}`));
    });
  };

  const startTriage = (pathwayId: string) =>
    run(async () => {
      setSession(
        await api<TriageSession>('/api/triage/sessions', {
          method: 'POST',
          body: { pathwayId, patient: { ageYears: ageYears(patient.birthDate), sex: patient.sex } },
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
      setSession(
        await api<TriageSession>(`/api/triage/sessions/${session.id}/back`, { method: 'POST', body: {} }),
      );
    });

  /** Finishing triage records its disposition on the case, and asks the Directory where to send the patient. */
  const finishTriage = () =>
    run(async () => {
      if (!session?.outcome || !theCase) return;
      const finished = await api<TriageSession>(`/api/triage/sessions/${session.id}/finish`, {
        method: 'POST',
        body: {},
      });
      setSession(finished);
      const code = session.outcome.disposition.code;
      const triaged = await api<Case>(`/api/cases/${theCase.id}/triage`, {
        method: 'POST',
        body: { triageSessionId: finished.id, dispositionCode: code, summary: session.outcome.report },
      });
      setTheCase(triaged);
      if (triaged.disposition?.outcome === 'referral') {
        setDos(
          await api<SearchResult>('/api/directory/search', {
            method: 'POST',
            body: {
              postcode: patient.postcode,
              age: { value: ageYears(patient.birthDate), unit: 'years' },
              sex: patient.sex,
              disposition: code,
              ...(gp ? { gpPractice: gp.code } : {}),
            },
          }),
        );
      }
    });

  const decide = (body: Record<string, unknown>) =>
    run(async () => {
      if (!theCase) return;
      setTheCase(await api<Case>(`/api/cases/${theCase.id}/outcome`, { method: 'POST', body }));
    });

  /** The call ends and the case closes together: nothing separate to remember. */
  const closeCall = () =>
    run(async () => {
      if (!theCase || !call) return;
      // A case still with a clinician stays open for them; a complete one closes with the call.
      if (theCase.status === 'outcome_complete')
        setTheCase(await api<Case>(`/api/cases/${theCase.id}/close`, { method: 'POST' }));
      await api(`/api/calls/${call.id}/events`, { method: 'POST', body: { kind: 'ended' } });
      setClosed(true);
    });

  const q = session?.next;
  const outcome = theCase?.disposition?.outcome;
  return (
    <section className="workspace">
      <header className="workspace-bar">
        <h1>Call workspace</h1>
        <p role="status" aria-label="Queue" className="muted">
          {queue
            ? `${queue.waiting.length} waiting · longest ${minutes(queue.longestWaitSeconds)} · ${queue.advisersFree} advisers free`
            : 'Connecting to the queue…'}
        </p>
        <button type="button" id="answer-next" onClick={answerNext} disabled={busy || !free}>
          Answer next call
        </button>
      </header>
      <p className="muted">Demonstration content — not for clinical use.</p>

      {call && (
        <section aria-label="Caller" className="step">
          <h2 ref={theCase ? undefined : stepRef} tabIndex={-1}>
            Caller <span data-testid="caller-number">{call.callerNumber ?? 'number not presented'}</span>
          </h2>
          {repeat?.repeat && (
            <p role="alert" className="warning" data-testid="repeat-caller">
              Repeat caller: this number rang {repeat.earlier.length} time
              {repeat.earlier.length === 1 ? '' : 's'} in the last 72 hours (last at{' '}
              {new Date(repeat.earlier[0]?.offeredAt ?? '').toLocaleString('en-GB')}).
            </p>
          )}
          {!theCase ? (
            <>
              <form onSubmit={findGp} className="inline-form" aria-label="Find the GP practice">
                <label>
                  GP practice
                  <input
                    value={gpQuery}
                    onChange={(e) => setGpQuery(e.target.value)}
                    placeholder="name or place"
                  />
                </label>
                <button type="submit" disabled={busy}>
                  Find practice
                </button>
                {gp && <span data-testid="gp-chosen">{gp.name}</span>}
              </form>
              {gpHits.length > 0 && !gp && (
                <ul aria-label="Practices found" className="pick-list">
                  {gpHits.map((s) => (
                    <li key={s.id}>
                      <button type="button" onClick={() => setGp({ code: s.odsCode ?? '', name: s.name })}>
                        {s.name}
                      </button>{' '}
                      <span className="muted">{s.address}</span>
                    </li>
                  ))}
                </ul>
              )}
              <form onSubmit={openCase} className="patient-form" aria-label="Patient">
                <label>
                  Patient name
                  <input
                    ref={nameRef}
                    value={patient.name}
                    onChange={(e) => setPatient({ ...patient, name: e.target.value })}
                    required
                  />
                </label>
                <label>
                  NHS number
                  <input
                    value={patient.nhsNumber}
                    onChange={(e) => setPatient({ ...patient, nhsNumber: e.target.value })}
                    inputMode="numeric"
                    placeholder="if the caller knows it"
                  />
                </label>
                <label>
                  Date of birth
                  <input
                    type="date"
                    value={patient.birthDate}
                    onChange={(e) => setPatient({ ...patient, birthDate: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Sex
                  <select
                    value={patient.sex}
                    onChange={(e) => setPatient({ ...patient, sex: e.target.value as Sex | '' })}
                    required
                  >
                    <option value="">Choose…</option>
                    <option value="female">Female</option>
                    <option value="male">Male</option>
                  </select>
                </label>
                <label>
                  Postcode
                  <input
                    value={patient.postcode}
                    onChange={(e) => setPatient({ ...patient, postcode: e.target.value })}
                    required
                  />
                </label>
                <label>
                  Call-back number
                  <input
                    value={patient.phone}
                    onChange={(e) => setPatient({ ...patient, phone: e.target.value })}
                  />
                </label>
                <button type="submit" disabled={busy}>
                  Start the case
                </button>
              </form>
            </>
          ) : (
            <p data-testid="patient-line">
              {theCase.patient.name}, born {theCase.patient.birthDate} ({ageYears(theCase.patient.birthDate)}{' '}
              years), {theCase.patient.sex} · {theCase.patient.postcode}
              {gp ? ` · GP: ${gp.name}` : ' · GP practice not known'}
              {theCase.patient.nhsNumber
                ? ` · NHS number ${theCase.patient.nhsNumber.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3')}`
                : ''}
            </p>
          )}
        </section>
      )}

      {theCase && location && (
        <section aria-label="Location" className="step">
          <p data-testid="location-line">
            {location.area.name} ({location.region.name}) · ambulance: {location.ambulanceTrust.name}
          </p>
        </section>
      )}

      {theCase && !theCase.disposition && (
        <section aria-label="Triage" className="step">
          {!session && (
            <>
              <h2 ref={stepRef} tabIndex={-1}>
                What is the main problem?
              </h2>
              <form onSubmit={findPathway} className="inline-form" aria-label="Find a pathway">
                <label>
                  Symptoms
                  <input value={symptoms} onChange={(e) => setSymptoms(e.target.value)} required />
                </label>
                <button type="submit" disabled={busy}>
                  Find pathway
                </button>
              </form>
              {pathways && (
                <ul aria-label="Pathways found" className="pick-list">
                  {pathways.length === 0 && <li>No pathway matches those words: try others.</li>}
                  {pathways.map((h) => (
                    <li key={h.id}>
                      <button type="button" onClick={() => startTriage(h.id)} disabled={busy}>
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
              busy={busy}
              onAnswer={(v) => void answer(v)}
            >
              {session && session.answers.length > 0 && (
                <button type="button" onClick={back} disabled={busy}>
                  Back
                </button>
              )}
            </QuestionView>
          )}
          {session?.outcome && (
            <fieldset aria-label="Disposition reached">
              <h2 ref={stepRef} tabIndex={-1}>
                {session.outcome.disposition.code}: {session.outcome.disposition.title}
              </h2>
              <button type="button" onClick={finishTriage} disabled={busy}>
                Accept disposition
              </button>{' '}
              <button type="button" onClick={back} disabled={busy}>
                Back
              </button>
            </fieldset>
          )}
        </section>
      )}

      {theCase?.disposition && (
        <section aria-label="Outcome" className="step">
          <h2 ref={dos ? undefined : stepRef} tabIndex={-1} data-testid="disposition">
            {theCase.disposition.code}: {theCase.disposition.title}
          </h2>
          <p>Care advice: {theCase.disposition.careAdvice}</p>
          {theCase.outcome === null && outcome === 'ambulance' && (
            <button type="button" onClick={() => decide({})} disabled={busy}>
              Dispatch ambulance
            </button>
          )}
          {theCase.outcome === null && outcome === 'self_care' && (
            <button type="button" onClick={() => decide({})} disabled={busy}>
              Give self-care advice
            </button>
          )}
          {theCase.outcome === null && outcome === 'callback' && (
            <>
              <button type="button" onClick={() => decide({ warmTransfer: 'connected' })} disabled={busy}>
                Warm transfer to a clinician
              </button>{' '}
              <button type="button" onClick={() => decide({})} disabled={busy}>
                Clinician call-back
              </button>
            </>
          )}
          {theCase.outcome === null && outcome === 'referral' && dos && (
            <ServiceResults
              label="Services for this disposition"
              caption={
                <span ref={stepRef} tabIndex={-1}>
                  Services open within the timeframe near {patient.postcode}, for a{' '}
                  {ageYears(patient.birthDate)}-year-old {patient.sex}
                </span>
              }
              results={dos.results}
              empty="No service is open within the timeframe: escalate to a clinician."
              act={(r) => ({
                text: 'Refer here',
                label: `Refer to ${r.service.name}`,
                onClick: () => decide({ service: { id: r.service.id } }),
                disabled: busy,
              })}
            />
          )}
          {theCase.outcome && (
            <div role="status" data-testid="outcome-line">
              {theCase.status === 'awaiting_validation' && theCase.validation && (
                <p className="warning" data-testid="validation-line">
                  Sent for clinical validation: a clinician will review it by{' '}
                  {new Date(theCase.validation.breachAt).toLocaleTimeString('en-GB', {
                    hour: '2-digit',
                    minute: '2-digit',
                  })}
                  . If it is not validated by then,{' '}
                  {theCase.outcome === 'ambulance'
                    ? 'the ambulance is dispatched automatically'
                    : `the referral to ${theCase.validation.heldService?.name ?? 'the emergency department'} is sent automatically`}
                  . Tell the caller to ring back if things get worse.
                </p>
              )}
              {theCase.referral && <p>Referred to {theCase.referral.name}.</p>}
              {theCase.dispatch && (
                <p>
                  Category {theCase.dispatch.category} ambulance dispatched to {theCase.dispatch.trustName}.
                </p>
              )}
              {theCase.callback && <p>With a clinician ({theCase.callback.reason.replaceAll('_', ' ')}).</p>}
              {theCase.postEvent && (
                <p data-testid="post-event">
                  {theCase.postEvent.sent
                    ? `Post-event message to the GP practice (${gp?.name ?? theCase.postEvent.practiceCode}) sent.`
                    : theCase.postEvent.reason}
                </p>
              )}
            </div>
          )}
        </section>
      )}

      {theCase?.outcome && !closed && (
        <p>
          <button type="button" onClick={closeCall} disabled={busy}>
            {theCase.status === 'awaiting_validation'
              ? 'End call (the case goes to clinical validation)'
              : 'End call and close case'}
          </button>
        </p>
      )}
      {closed && (
        <p role="status" data-testid="closed">
          Call ended; case{' '}
          {theCase?.status === 'closed'
            ? 'closed'
            : theCase?.status === 'awaiting_validation'
              ? 'waiting for clinical validation'
              : 'kept open for the clinician'}
          .
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
