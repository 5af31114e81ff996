import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { Case as CaseView } from '../api-types';

const OUTCOME_LABEL: Record<string, string> = {
  ambulance: 'Dispatch an ambulance (no re-triage)',
  referral: 'Refer to a service',
  callback: 'Clinician call-back',
  self_care: 'Self-care advice',
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The case for one answered call: patient details, the triage result, the outcome and its messages. */
export function CasePanel({ callId, onClose }: { callId: string; onClose: () => void }) {
  const [c, setCase] = useState<CaseView | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [patient, setPatient] = useState({
    name: '',
    birthDate: '',
    sex: 'female',
    postcode: '',
    gpPracticeCode: '',
    phone: '',
  });
  const [triage, setTriage] = useState({ dispositionCode: '', triageSessionId: '' });
  const [service, setService] = useState({ id: '', name: '', endpoint: '' });

  const refresh = useCallback(async () => {
    try {
      const found = await api<CaseView[]>(`/api/cases?callId=${encodeURIComponent(callId)}`);
      setCase(found[0] ?? null);
      setLoaded(true);
    } catch (err) {
      setError(message(err));
    }
  }, [callId]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // Every read of a case is an audited access, so poll only while a message is still on its way.
  const inFlight = c?.messages.some((m) => m.status === 'pending' || m.status === 'sending') ?? false;
  useEffect(() => {
    if (!inFlight) return;
    const timer = setInterval(() => void refresh(), 3000);
    return () => clearInterval(timer);
  }, [inFlight, refresh]);

  const run = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(message(err));
    }
    await refresh();
  };

  const open = (e: FormEvent) => {
    e.preventDefault();
    const { gpPracticeCode, phone, ...rest } = patient;
    const body = {
      callId,
      patient: {
        ...rest,
        ...(gpPracticeCode ? { gpPracticeCode: gpPracticeCode.toUpperCase() } : {}),
        ...(phone ? { phone } : {}),
      },
    };
    void run(() => api('/api/cases', { method: 'POST', body }));
  };
  const recordTriage = (e: FormEvent) => {
    e.preventDefault();
    if (!c) return;
    const body = {
      dispositionCode: triage.dispositionCode.trim(),
      triageSessionId: triage.triageSessionId.trim(),
    };
    void run(() => api(`/api/cases/${c.id}/triage`, { method: 'POST', body }));
  };
  const decide = (body: Record<string, unknown>) => {
    if (!c) return;
    void run(() => api(`/api/cases/${c.id}/outcome`, { method: 'POST', body }));
  };
  const close = () => {
    if (!c) return;
    void run(() => api(`/api/cases/${c.id}/close`, { method: 'POST', body: {} }));
  };

  const field = (key: keyof typeof patient, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        value={patient[key]}
        onChange={(e) => setPatient({ ...patient, [key]: e.target.value })}
      />
    </label>
  );

  return (
    <section className="case-panel" aria-label="Case">
      <div className="case-heading">
        <h2>
          Case for call <code>{callId.slice(0, 10)}</code>
        </h2>
        <button type="button" onClick={onClose}>
          Hide
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {loaded && !c && (
        <form className="case-form" onSubmit={open} aria-label="Patient details">
          {field('name', 'Patient name')}
          {field('birthDate', 'Date of birth', 'date')}
          <label>
            Sex
            <select value={patient.sex} onChange={(e) => setPatient({ ...patient, sex: e.target.value })}>
              <option value="female">female</option>
              <option value="male">male</option>
              <option value="other">other</option>
              <option value="unknown">unknown</option>
            </select>
          </label>
          {field('postcode', 'Patient postcode')}
          {field('gpPracticeCode', 'GP practice code')}
          {field('phone', 'Call-back number')}
          <button type="submit">Open case</button>
        </form>
      )}
      {c && (
        <>
          <dl className="facts">
            <dt>Case</dt>
            <dd>
              <code>{c.id}</code>
            </dd>
            <dt>Status</dt>
            <dd data-testid="case-status">{c.status.replace(/_/g, ' ')}</dd>
            <dt>Patient</dt>
            <dd>
              {c.patient.name}, born {c.patient.birthDate}, {c.patient.postcode} (area {c.areaCode})
            </dd>
            {c.disposition && (
              <>
                <dt>Disposition</dt>
                <dd>
                  <code>{c.disposition.code}</code> {c.disposition.title} →{' '}
                  {OUTCOME_LABEL[c.disposition.outcome]}
                </dd>
              </>
            )}
            {c.dispatch && (
              <>
                <dt>Ambulance</dt>
                <dd>
                  Category {c.dispatch.category} dispatched to {c.dispatch.trustName}
                </dd>
              </>
            )}
            {c.validation && (
              <>
                <dt>Clinical validation</dt>
                <dd data-testid="case-validation">
                  {c.validation.breachedAt
                    ? `Not validated by ${new Date(c.validation.breachAt).toLocaleTimeString('en-GB')}: acted on automatically (fail-safe)`
                    : c.validation.result
                      ? `${c.validation.result[0]?.toUpperCase()}${c.validation.result.slice(1)} by a clinician${c.validation.notes ? `: ${c.validation.notes}` : ''}`
                      : `Waiting; breach at ${new Date(c.validation.breachAt).toLocaleTimeString('en-GB')}`}
                </dd>
              </>
            )}
            {c.referral && (
              <>
                <dt>Referred to</dt>
                <dd>
                  {c.referral.name}
                  {c.referralProgress.acknowledgedAt
                    ? ` · acknowledged${c.referralProgress.outcome ? ` · ${c.referralProgress.outcome.replaceAll('_', ' ')}` : ''}`
                    : ''}
                </dd>
              </>
            )}
            {c.referralProgress.alertedAt && !c.referralProgress.acknowledgedAt && (
              <>
                <dt>Alert</dt>
                <dd role="alert" className="error">
                  The receiving service has not acknowledged this referral (due by{' '}
                  {new Date(c.referralProgress.acknowledgementDueAt ?? '').toLocaleTimeString('en-GB')}).
                </dd>
              </>
            )}
            {c.callback && (
              <>
                <dt>Clinician</dt>
                <dd>
                  {c.callback.reason === 'warm_transfer'
                    ? 'Warm-transferred'
                    : `Call-back due by ${new Date(c.callback.dueAt).toLocaleTimeString('en-GB')}`}
                </dd>
              </>
            )}
            {c.postEvent && (
              <>
                <dt>GP post-event</dt>
                <dd>{c.postEvent.sent ? `Sent to ${c.postEvent.practiceCode}` : c.postEvent.reason}</dd>
              </>
            )}
          </dl>
          {(c.status === 'open' || (c.status === 'triaged' && !c.outcome)) && (
            <form className="inline-form" onSubmit={recordTriage} aria-label="Triage result">
              <label>
                Disposition code
                <input
                  value={triage.dispositionCode}
                  onChange={(e) => setTriage({ ...triage, dispositionCode: e.target.value })}
                  placeholder="Dx011"
                  required
                />
              </label>
              <label>
                Triage session
                <input
                  value={triage.triageSessionId}
                  onChange={(e) => setTriage({ ...triage, triageSessionId: e.target.value })}
                  placeholder="from the Triage screen, once finished"
                  required
                />
              </label>
              <button type="submit">Record disposition</button>
            </form>
          )}
          {c.disposition && !c.outcome && (
            <fieldset className="outcome-choice">
              <legend>Outcome</legend>
              <p>{c.disposition.careAdvice}</p>
              {c.disposition.outcome === 'ambulance' && (
                <button type="button" onClick={() => decide({})}>
                  Dispatch ambulance
                </button>
              )}
              {c.disposition.outcome === 'self_care' && (
                <button type="button" onClick={() => decide({})}>
                  Give self-care advice
                </button>
              )}
              {c.disposition.outcome === 'callback' && (
                <>
                  <button type="button" onClick={() => decide({ warmTransfer: 'connected' })}>
                    Warm transfer: connected
                  </button>
                  <button type="button" onClick={() => decide({ warmTransfer: 'failed' })}>
                    Warm transfer failed: call back in 10 min
                  </button>
                  <button type="button" onClick={() => decide({})}>
                    Queue call-back
                  </button>
                </>
              )}
              {c.disposition.outcome === 'referral' && (
                <form
                  className="inline-form"
                  aria-label="Service"
                  onSubmit={(e) => {
                    e.preventDefault();
                    decide({ service });
                  }}
                >
                  {(['id', 'name', 'endpoint'] as const).map((k) => (
                    <label key={k}>
                      Service {k}
                      <input
                        value={service[k]}
                        onChange={(e) => setService({ ...service, [k]: e.target.value })}
                      />
                    </label>
                  ))}
                  <button type="submit">Refer</button>
                </form>
              )}
            </fieldset>
          )}
          {c.status === 'outcome_complete' && (
            <button type="button" onClick={close}>
              Close case
            </button>
          )}
          <h3>Messages</h3>
          <table aria-label="Case messages">
            <thead>
              <tr>
                <th>Message</th>
                <th>To</th>
                <th>Delivery</th>
              </tr>
            </thead>
            <tbody>
              {c.messages.length === 0 && (
                <tr>
                  <td colSpan={3} className="muted">
                    None.
                  </td>
                </tr>
              )}
              {c.messages.map((m) => (
                <tr key={m.idempotencyKey}>
                  <td>{m.kind.replace(/_/g, ' ')}</td>
                  <td>{m.destination}</td>
                  <td>{m.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
