import { useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api';
import type { Case, QueueEntry } from '../api-types';
import { type CallbackOutcomeBody, CallbackTriage } from './CallbackTriage';
import { timerClass } from './Validation';

const REASON: Record<string, string> = {
  disposition: 'Call-back',
  warm_transfer_failed: 'Warm transfer failed',
  warm_transfer: 'Warm transfer',
};

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

function dueText(e: QueueEntry): string {
  if (e.startedAt) return 'in progress';
  const m = Math.round(Math.abs(e.minutesToDue));
  return e.overdue ? `overdue by ${m} min` : `in ${m} min`;
}

/** What became of a completed call-back, in a sentence. */
function closedText(c: Case): string {
  const retriaged =
    c.outcome && c.outcome !== 'callback'
      ? ` with the clinician’s triage (${c.disposition?.code}): ${
          c.referral
            ? `referred to ${c.referral.name}`
            : c.dispatch
              ? `category ${c.dispatch.category} ambulance dispatched`
              : 'self-care advice given'
        }`
      : '';
  const gp = c.postEvent?.sent ? 'has been sent the post-event message' : 'could not be told';
  const status = c.status === 'closed' ? 'closed' : c.status.replaceAll('_', ' ');
  return `Call-back to ${c.patient.name} completed${retriaged}; the GP ${gp}; case ${status}.`;
}

/** The clinician's queue: call-backs and warm transfers of their provider, soonest due first, overdue in red. */
export function ClinicalQueue({ me }: { me: Me }) {
  const [entries, setEntries] = useState<QueueEntry[]>([]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  /** The case of each call-back opened: its triage report and the care advice given. */
  const [opened, setOpened] = useState<Record<string, Case>>({});
  const [closed, setClosed] = useState<Case | null>(null);
  /** The call-back whose patient the clinician is triaging again, with its case. */
  const [retriage, setRetriage] = useState<Case | null>(null);
  const [busy, setBusy] = useState(false);
  const isClinician = me.role === 'clinician';

  const refresh = useCallback(async () => {
    try {
      setEntries(await api<QueueEntry[]>('/api/clinical-queue'));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void refresh();
    // Each refresh is an audited read of every case listed: often enough for due times, no more.
    const timer = setInterval(() => void refresh(), 15_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const act = async (caseId: string, action: 'start' | 'complete', outcome?: CallbackOutcomeBody) => {
    setError(null);
    setBusy(true);
    try {
      const c = await api<Case>(`/api/cases/${encodeURIComponent(caseId)}/callback/${action}`, {
        method: 'POST',
        ...(action === 'complete' ? { body: { notes: notes[caseId] ?? '', ...outcome } } : {}),
      });
      if (action === 'start') setOpened({ ...opened, [caseId]: c });
      else {
        setClosed(c);
        if (retriage?.id === caseId) setRetriage(null);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      // The clinician's triage shows the refusal too: the call-back is still theirs to finish.
      if (outcome) throw err;
    } finally {
      setBusy(false);
      await refresh();
    }
  };
  const retriageOf = (caseId: string) =>
    void api<Case>(`/api/cases/${encodeURIComponent(caseId)}`).then(setRetriage, (err: unknown) =>
      setError(err instanceof Error ? err.message : String(err)),
    );

  return (
    <section>
      <h1>Clinical queue</h1>
      <p className="muted">
        Call-backs by due time. A failed warm transfer is called back within 10 minutes; others within the
        disposition’s timeframe.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {closed && (
        <p role="status" data-testid="callback-closed">
          {closedText(closed)}
        </p>
      )}
      <table aria-label="Clinical queue">
        <thead>
          <tr>
            <th>Due</th>
            <th>Patient</th>
            <th>Disposition</th>
            <th>Why</th>
            <th>Phone</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No call-backs waiting.
              </td>
            </tr>
          )}
          {entries.map((e) => (
            <tr
              key={e.caseId}
              className={e.overdue ? 'overdue' : e.startedAt ? undefined : timerClass(e.minutesToDue)}
              data-priority={e.priority}
            >
              <td>
                <strong>{time(e.dueAt)}</strong> <span className="due">{dueText(e)}</span>
              </td>
              <td>
                {e.patientName} <span className="muted">b. {e.birthDate}</span>
              </td>
              <td>
                <code>{e.dispositionCode}</code> {e.dispositionTitle}
              </td>
              <td>{REASON[e.reason] ?? e.reason}</td>
              <td>{e.phone ?? '—'}</td>
              <td className="actions">
                {isClinician && !e.startedAt && (
                  <button type="button" onClick={() => void act(e.caseId, 'start')}>
                    Start call-back
                  </button>
                )}
                {isClinician && e.startedAt && (
                  <>
                    <CallbackDetail c={opened[e.caseId]} caseId={e.caseId} />
                    <input
                      aria-label={`Notes for ${e.patientName}`}
                      value={notes[e.caseId] ?? ''}
                      onChange={(ev) => setNotes({ ...notes, [e.caseId]: ev.target.value })}
                      placeholder="Clinical notes"
                    />
                    <button type="button" onClick={() => void act(e.caseId, 'complete')} disabled={busy}>
                      Complete
                    </button>{' '}
                    <button
                      type="button"
                      onClick={() => retriageOf(e.caseId)}
                      aria-label={`Re-run triage for ${e.patientName}`}
                    >
                      Re-run triage
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {retriage && (
        <CallbackTriage
          key={retriage.id}
          c={retriage}
          busy={busy}
          onOutcome={(body) => act(retriage.id, 'complete', body)}
        />
      )}
    </section>
  );
}

/** What the adviser's assessment left for the clinician: the triage report and the care advice given. */
function CallbackDetail({ c, caseId }: { c: Case | undefined; caseId: string }) {
  const [loaded, setLoaded] = useState<Case | undefined>(c);
  useEffect(() => {
    if (!loaded) void api<Case>(`/api/cases/${encodeURIComponent(caseId)}`).then(setLoaded, () => undefined);
  }, [loaded, caseId]);
  if (!loaded) return null;
  return (
    <div className="callback-detail" data-testid="callback-detail">
      <strong>Triage report</strong>
      <ol aria-label="Triage answers">
        {loaded.summary.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      {loaded.disposition && <p>Care advice given: {loaded.disposition.careAdvice}</p>}
    </div>
  );
}
