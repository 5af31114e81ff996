import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api';
import type {
  Case,
  DispositionEntry,
  ReferralAlert,
  SearchResult,
  TriageSession,
  ValidationEntry,
} from '../api-types';
import { ServiceResults } from './ServiceResults';
import { TriageAnswers } from './TriageReplay';

const REASON: Record<string, string> = {
  ambulance_category_3: 'Ambulance category 3',
  ambulance_category_4: 'Ambulance category 4',
  emergency_department: 'Emergency department',
};

/** Amber with under 10 minutes to the breach (or due time), red under 5 (or past it). */
export function timerClass(minutesLeft: number): 'red' | 'amber' | undefined {
  if (minutesLeft < 5) return 'red';
  if (minutesLeft < 10) return 'amber';
  return undefined;
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function ageYears(birthDate: string): number {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const today = new Date();
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age--;
  return Math.max(0, age);
}

type Result = 'confirmed' | 'upgraded' | 'downgraded';

/**
 * The clinician's validation queue: an adviser's ambulance category 3/4 and A&E dispositions, soonest
 * breach first, the timer amber then red; one chosen shows every triage question and answer, its report and the validate form
 * (confirm, or upgrade or downgrade to another disposition, a referral with its Directory search).
 * Unvalidated at the breach time, the ambulance goes anyway: the screen says so.
 */
export function Validation({ me }: { me: Me }) {
  const [entries, setEntries] = useState<ValidationEntry[]>([]);
  const [alerts, setAlerts] = useState<ReferralAlert[]>([]);
  const [catalogue, setCatalogue] = useState<DispositionEntry[]>([]);
  const [chosen, setChosen] = useState<ValidationEntry | null>(null);
  const [session, setSession] = useState<TriageSession | null>(null);
  const [result, setResult] = useState<Result>('confirmed');
  const [code, setCode] = useState('');
  const [notes, setNotes] = useState('');
  const [dos, setDos] = useState<SearchResult | null>(null);
  const [serviceId, setServiceId] = useState<string | null>(null);
  const [done, setDone] = useState<Case | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isClinician = me.role === 'clinician';

  const refresh = useCallback(async () => {
    try {
      const [queue, late] = await Promise.all([
        api<ValidationEntry[]>('/api/validation-queue'),
        api<ReferralAlert[]>('/api/referral-alerts'),
      ]);
      setEntries(queue);
      setAlerts(late);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void refresh();
    void api<DispositionEntry[]>('/api/dispositions').then(setCatalogue, () => undefined);
    // Each refresh is an audited read of every case listed: often enough for a 30-minute breach time.
    const timer = setInterval(() => void refresh(), 10_000);
    return () => clearInterval(timer);
  }, [refresh]);

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

  const choose = (e: ValidationEntry) => {
    setChosen(e);
    setResult('confirmed');
    setCode(e.dispositionCode);
    setNotes('');
    setDos(null);
    setServiceId(null);
    setDone(null);
    setSession(null);
    // Every question and answer of the adviser's triage, as the case's replay shows them.
    void run(async () => {
      const c = await api<Case>(`/api/cases/${encodeURIComponent(e.caseId)}`);
      const id = c.disposition?.triageSessionId;
      if (id) setSession(await api<TriageSession>(`/api/triage/sessions/${encodeURIComponent(id)}`));
    });
  };

  const current = catalogue.find((d) => d.code === chosen?.dispositionCode);
  const target = catalogue.find((d) => d.code === (result === 'confirmed' ? chosen?.dispositionCode : code));
  const options = catalogue.filter((d) =>
    !current
      ? false
      : result === 'upgraded'
        ? d.urgencyRank < current.urgencyRank
        : d.urgencyRank > current.urgencyRank,
  );
  const needsService = result !== 'confirmed' && target?.outcome === 'referral';

  const search = () =>
    run(async () => {
      if (!chosen || !target) return;
      const c = await api<Case>(`/api/cases/${encodeURIComponent(chosen.caseId)}`);
      setDos(
        await api<SearchResult>('/api/directory/search', {
          method: 'POST',
          body: {
            postcode: c.patient.postcode,
            age: { value: ageYears(c.patient.birthDate), unit: 'years' },
            sex: c.patient.sex === 'female' || c.patient.sex === 'male' ? c.patient.sex : 'female',
            disposition: target.code,
            ...(c.patient.gpPracticeCode ? { gpPractice: c.patient.gpPracticeCode } : {}),
          },
        }),
      );
      setServiceId(null);
    });

  const validate = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      if (!chosen) return;
      if (result !== 'confirmed' && !code) throw new Error('Choose the new disposition.');
      if (needsService && !serviceId)
        throw new Error('Search the Directory and choose the service to refer to.');
      const c = await api<Case>(`/api/cases/${encodeURIComponent(chosen.caseId)}/validate`, {
        method: 'POST',
        body: {
          result,
          dispositionCode: result === 'confirmed' ? chosen.dispositionCode : code,
          notes,
          ...(needsService && serviceId ? { serviceId } : {}),
        },
      });
      setDone(c);
      setChosen(null);
      await refresh();
    });
  };

  return (
    <section>
      <h1>Clinical validation</h1>
      <p className="muted">
        An adviser’s ambulance category 3/4 and emergency department dispositions wait here for a clinician.
        Not validated by the breach time, the ambulance is dispatched (or the A&amp;E referral sent)
        automatically.
      </p>
      {alerts.length > 0 && (
        <div role="alert" className="error" data-testid="referral-alerts">
          <strong>Referrals not acknowledged within their timeframe:</strong>
          <ul>
            {alerts.map((a) => (
              <li key={a.caseId}>
                {a.patientName}: {a.serviceName}
                {a.referredAt ? `, referred at ${time(a.referredAt)}` : ''} — phone the service.
              </li>
            ))}
          </ul>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {done && (
        <p role="status" data-testid="validated">
          {done.patient.name}: {done.validation?.result} to {done.disposition?.code}
          {done.referral ? `, referred to ${done.referral.name}` : ''}
          {done.dispatch ? `, category ${done.dispatch.category} ambulance dispatched` : ''}; case{' '}
          {done.status === 'closed' ? 'closed' : done.status.replaceAll('_', ' ')}.
        </p>
      )}
      <table aria-label="Validation queue">
        <thead>
          <tr>
            <th>Breach</th>
            <th>Patient</th>
            <th>Disposition</th>
            <th>Why</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                Nothing waiting for validation.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr key={e.caseId} className={timerClass(e.minutesToBreach)} data-testid="validation-row">
              <td>
                <strong>{time(e.breachAt)}</strong>{' '}
                <span className="due" data-testid="breach-timer">
                  {e.minutesToBreach > 0 ? `in ${Math.ceil(e.minutesToBreach)} min` : 'breached: dispatching'}
                </span>
              </td>
              <td>
                {e.patientName} <span className="muted">b. {e.birthDate}</span>
              </td>
              <td>
                <code>{e.dispositionCode}</code> {e.dispositionTitle}
              </td>
              <td>{REASON[e.reason] ?? e.reason}</td>
              <td>
                {isClinician && (
                  <button type="button" onClick={() => choose(e)} aria-label={`Validate ${e.patientName}`}>
                    Validate
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      {chosen && (
        <section aria-label="Validate" className="step">
          <h2>
            {chosen.patientName}: <code>{chosen.dispositionCode}</code> {chosen.dispositionTitle}
          </h2>
          <h3>Triage questions and answers</h3>
          {session ? <TriageAnswers session={session} /> : <p className="muted">Loading the triage…</p>}
          <h3>Triage report</h3>
          {chosen.summary.length === 0 ? (
            <p className="muted">No report was recorded.</p>
          ) : (
            <ol aria-label="Triage answers">
              {chosen.summary.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ol>
          )}
          {chosen.heldService && (
            <p>Emergency department chosen by the adviser: {chosen.heldService.name}.</p>
          )}
          <form onSubmit={validate} className="patient-form" aria-label="Validation">
            <label>
              Decision
              <select
                value={result}
                onChange={(e) => {
                  setResult(e.target.value as Result);
                  setCode('');
                  setDos(null);
                  setServiceId(null);
                }}
              >
                <option value="confirmed">Confirm</option>
                <option value="upgraded">Upgrade</option>
                <option value="downgraded">Downgrade</option>
              </select>
            </label>
            {result !== 'confirmed' && (
              <label>
                New disposition
                <select
                  value={code}
                  onChange={(e) => {
                    setCode(e.target.value);
                    setDos(null);
                    setServiceId(null);
                  }}
                >
                  <option value="">Choose…</option>
                  {options.map((d) => (
                    <option key={d.code} value={d.code}>
                      {d.code}: {d.title}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label>
              Clinical notes
              <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={3} />
            </label>
            {needsService && (
              <button type="button" onClick={() => void search()} disabled={busy || !code}>
                Search the Directory
              </button>
            )}
            <button type="submit" disabled={busy}>
              Record validation
            </button>
          </form>
          {needsService && dos && (
            <ServiceResults
              label="Services for the new disposition"
              results={dos.results}
              empty="No service is open within the timeframe."
              act={(r) => ({
                text: serviceId === r.service.id ? 'Chosen' : 'Choose',
                label: `Choose ${r.service.name}`,
                onClick: () => setServiceId(r.service.id),
                pressed: serviceId === r.service.id,
              })}
            />
          )}
        </section>
      )}
    </section>
  );
}
