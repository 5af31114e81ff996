import { Fragment, useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api';
import type { DemoReceivers, MessageDetail, Outbox as OutboxAnswer, OutboxMessage } from '../api-types';

const STATUS_WORDS: Record<string, string> = {
  pending: 'waiting',
  sending: 'sending',
  delivered: 'delivered',
  dead: 'held for a person',
};
const STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;
const MODES = ['normal', 'fail', 'slow', 'timeout'] as const;
/** Often enough that a failing dispatch shows within 30 s of its first failure. */
const REFRESH_MS = 5_000;

const when = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : '—';

/**
 * The outbox: every outbound message (ambulance dispatch, referrals, GP messages) by receiving system
 * and status, each one's delivery history, and an alert when an ambulance dispatch is not getting
 * through. The roles the policy lets resend (provider and system admins) get the buttons; the server
 * decides in the end. A system administrator also gets the demo receivers' fault switch.
 */
export function Outbox({ me }: { me: Me }) {
  const [outbox, setOutbox] = useState<OutboxAnswer | null>(null);
  const [receivers, setReceivers] = useState<DemoReceivers | null>(null);
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [open, setOpen] = useState<Record<number, MessageDetail>>({});
  const [error, setError] = useState<string | null>(null);
  const mayRetry = me.role === 'provider_admin' || me.role === 'system_admin';
  const mayControl = me.role === 'system_admin';

  const refresh = useCallback(async () => {
    try {
      const query = new URLSearchParams({ ...(status ? { status } : {}), ...(kind ? { kind } : {}) });
      setOutbox(await api<OutboxAnswer>(`/api/messages${query.size ? `?${query}` : ''}`));
      if (mayControl) setReceivers(await api<DemoReceivers>('/api/demo-receivers'));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [status, kind, mayControl]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const run = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
    await refresh();
  };
  const toggleHistory = (id: number) =>
    run(async () => {
      if (open[id]) {
        const { [id]: _closed, ...rest } = open;
        setOpen(rest);
      } else {
        const detail = await api<MessageDetail>(`/api/messages/${id}`);
        setOpen({ ...open, [id]: detail });
      }
    });
  const retry = (id: number) =>
    run(async () => {
      await api(`/api/messages/${id}/retry`, { method: 'POST' });
      if (open[id]) setOpen({ ...open, [id]: await api<MessageDetail>(`/api/messages/${id}`) });
    });
  const flip = (receiver: string, mode: string) =>
    run(() => api(`/api/demo-receivers/${receiver}`, { method: 'PUT', body: { mode } }));

  const dispatchAlerts = outbox?.alerts.filter((a) => a.kind === 'dispatch_failing') ?? [];
  const held = outbox?.alerts.filter((a) => a.kind === 'held') ?? [];
  const kinds = Object.keys(outbox?.receivers ?? {}).sort();
  const modeOf = (k: string) => receivers?.switches.find((s) => s.kind === k)?.mode ?? 'normal';

  return (
    <section>
      <h1>Outbox</h1>
      <p className="muted">
        Messages to other systems, retried until delivered. An ambulance dispatch is never given up: it is
        retried at least every 30 s for as long as it is undelivered. Other messages are held for a person
        after 8 attempts. Refreshes every {REFRESH_MS / 1000} s.
      </p>
      {dispatchAlerts.length > 0 && (
        <div role="alert" className="error" data-testid="dispatch-alert">
          <strong>Ambulance dispatch failing.</strong>
          <ul>
            {dispatchAlerts.map((a) => (
              <li key={a.messageId}>
                {a.message} Last error: {a.lastError ?? '—'}
              </li>
            ))}
          </ul>
        </div>
      )}
      {held.length > 0 && (
        <p className="warning" data-testid="held-alert">
          {held.length} message{held.length === 1 ? ' is' : 's are'} held for a person: send{' '}
          {held.length === 1 ? 'it' : 'them'} again once the receiver is back.
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <table aria-label="Messages by receiver">
        <thead>
          <tr>
            <th>Receiver</th>
            {STATUSES.map((s) => (
              <th key={s}>{STATUS_WORDS[s]}</th>
            ))}
            {receivers && <th>Demo receiver</th>}
          </tr>
        </thead>
        <tbody>
          {kinds.map((k) => (
            <tr key={k}>
              <th scope="row">{k.replaceAll('_', ' ')}</th>
              {STATUSES.map((s) => (
                <td key={s}>{outbox?.receivers[k]?.[s] ?? 0}</td>
              ))}
              {receivers && (
                <td>
                  <select
                    aria-label={`Demo ${k.replaceAll('_', ' ')} receiver`}
                    value={modeOf(k)}
                    onChange={(e) => void flip(k, e.target.value)}
                  >
                    {MODES.map((m) => (
                      <option key={m} value={m}>
                        {m}
                      </option>
                    ))}
                  </select>{' '}
                  <span className="muted">
                    {(() => {
                      const t = receivers.tallies.find((x) => x.kind === k);
                      return t ? `${t.received} received, ${t.duplicatesRefused} repeats refused` : '';
                    })()}
                  </span>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <form aria-label="Outbox filter" className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_WORDS[s]}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Receiver{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">All</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      </form>
      <table aria-label="Messages">
        <thead>
          <tr>
            <th>#</th>
            <th>Receiver</th>
            <th>To</th>
            <th>About</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last error</th>
            <th>Next attempt</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {outbox?.messages.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No messages.
              </td>
            </tr>
          )}
          {outbox?.messages.map((m: OutboxMessage) => (
            <Fragment key={m.id}>
              <tr data-status={m.status} data-message={m.id}>
                <td>{m.id}</td>
                <td>{m.kind.replaceAll('_', ' ')}</td>
                <td>{m.destination}</td>
                <td>{m.subject ?? '—'}</td>
                <td>{STATUS_WORDS[m.status] ?? m.status}</td>
                <td>{m.attempts}</td>
                <td>{m.lastError ?? '—'}</td>
                <td>{m.status === 'pending' ? when(m.nextAttemptAt) : '—'}</td>
                <td className="actions">
                  <button type="button" onClick={() => void toggleHistory(m.id)}>
                    {open[m.id] ? 'Hide history' : 'History'}
                  </button>
                  {mayRetry && (m.status === 'dead' || m.status === 'pending') && (
                    <button type="button" onClick={() => void retry(m.id)}>
                      {m.status === 'dead' ? 'Send again' : 'Try now'}
                    </button>
                  )}
                </td>
              </tr>
              {open[m.id] && (
                <tr>
                  <td colSpan={9}>
                    <table aria-label={`Delivery history of message ${m.id}`}>
                      <thead>
                        <tr>
                          <th>Started</th>
                          <th>Outcome</th>
                          <th>Error or acknowledgement</th>
                          <th>Sender</th>
                        </tr>
                      </thead>
                      <tbody>
                        {open[m.id]?.history.attempts.map((a) => (
                          <tr key={a.id} data-outcome={a.outcome}>
                            <td>{when(a.startedAt)}</td>
                            <td>{a.outcome}</td>
                            <td>{a.error ?? a.acknowledgement}</td>
                            <td className="muted">{a.sender}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <p className="muted">{open[m.id]?.history.total} attempts in all.</p>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}
