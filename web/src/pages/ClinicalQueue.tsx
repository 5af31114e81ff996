import { useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api';
import type { QueueEntry } from '../api-types';

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

/** The clinician's queue: call-backs and warm transfers of their provider, soonest due first, overdue in red. */
export function ClinicalQueue({ me }: { me: Me }) {
  const [entries, setEntries] = useState<QueueEntry[]>([]);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
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

  const act = async (caseId: string, action: 'start' | 'complete') => {
    setError(null);
    try {
      await api(`/api/cases/${encodeURIComponent(caseId)}/callback/${action}`, {
        method: 'POST',
        ...(action === 'complete' ? { body: { notes: notes[caseId] ?? '' } } : {}),
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await refresh();
  };

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
            <tr key={e.caseId} className={e.overdue ? 'overdue' : undefined} data-priority={e.priority}>
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
                    <input
                      aria-label={`Notes for ${e.patientName}`}
                      value={notes[e.caseId] ?? ''}
                      onChange={(ev) => setNotes({ ...notes, [e.caseId]: ev.target.value })}
                      placeholder="Clinical notes"
                    />
                    <button type="button" onClick={() => void act(e.caseId, 'complete')}>
                      Complete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
