import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api';
import type { Call } from '../api-types';
import { CasePanel } from './CasePanel';

const NEXT: Record<string, { kind: string; label: string }[]> = {
  queued: [
    { kind: 'answered', label: 'Answer' },
    { kind: 'abandoned', label: 'Caller hung up' },
  ],
  answered: [
    { kind: 'transferred', label: 'Warm transfer to clinician' },
    { kind: 'ended', label: 'End' },
  ],
  transferred: [{ kind: 'ended', label: 'End' }],
};

/** The adviser's call queue: live calls of their provider, oldest waiting first, refreshed every few seconds. */
export function Calls() {
  const [calls, setCalls] = useState<Call[]>([]);
  const [postcode, setPostcode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [caseCall, setCaseCall] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const all = await api<Call[]>('/api/calls?limit=50');
      setCalls(all.filter((c) => c.status !== 'ended' && c.status !== 'abandoned').reverse());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 5000);
    return () => clearInterval(timer);
  }, [refresh]);

  const act = async (id: string, kind: string) => {
    setError(null);
    try {
      await api(`/api/calls/${encodeURIComponent(id)}/events`, { method: 'POST', body: { kind } });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await refresh();
  };
  const offer = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('/api/calls', { method: 'POST', body: postcode ? { postcode } : {} });
      setPostcode('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await refresh();
  };

  return (
    <section>
      <h1>Calls</h1>
      <form className="inline-form" onSubmit={offer} aria-label="New call">
        <label>
          Caller’s postcode
          <input value={postcode} onChange={(e) => setPostcode(e.target.value)} placeholder="LU1 3JU" />
        </label>
        <button type="submit">Take a new call</button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table aria-label="Call queue">
        <thead>
          <tr>
            <th>Call</th>
            <th>Area</th>
            <th>Status</th>
            <th>Waited</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {calls.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No calls waiting or in progress.
              </td>
            </tr>
          )}
          {calls.map((c) => (
            <tr key={c.id}>
              <td>
                <code>{c.id.slice(0, 10)}</code>
              </td>
              <td>{c.areaCode ?? '—'}</td>
              <td>{c.status}</td>
              <td>{c.waitSeconds === null ? '—' : `${Math.round(c.waitSeconds)} s`}</td>
              <td className="actions">
                {(NEXT[c.status] ?? []).map((n) => (
                  <button key={n.kind} type="button" onClick={() => void act(c.id, n.kind)}>
                    {n.label}
                  </button>
                ))}
                {(c.status === 'answered' || c.status === 'transferred') && (
                  <button type="button" onClick={() => setCaseCall(c.id)}>
                    Case
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {caseCall && <CasePanel key={caseCall} callId={caseCall} onClose={() => setCaseCall(null)} />}
    </section>
  );
}
