import { useCallback, useEffect, useState } from 'react';
import { api, type Me } from '../api';
import type { DemoSwitch } from '../api-types';
import { useLiveQueue } from './Workspace';

/**
 * Demo mode's simulated switch: whether it is offering calls (at the demand model's rate for the hour)
 * and, for a floor manager or administrator, the control to pause or start it.
 */
function DemoSwitchControl({ me }: { me: Me }) {
  const [state, setState] = useState<DemoSwitch | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setState(await api<DemoSwitch>('/api/demo/switch'));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => void load(), [load]);
  if (!state?.demo) return null;
  const mayControl = me.role === 'provider_admin' || me.role === 'system_admin';
  const toggle = async () => {
    setError(null);
    try {
      setState(
        await api<DemoSwitch>('/api/demo/switch', { method: 'PUT', body: { running: !state.running } }),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <p className="demo-switch" data-testid="demo-switch">
      Simulated switch (demo): {state.running ? 'offering calls' : 'paused'}, about {state.callsPerHour} calls
      an hour at this time of day.{' '}
      {mayControl && (
        <button type="button" onClick={() => void toggle()}>
          {state.running ? 'Pause the simulated switch' : 'Start the simulated switch'}
        </button>
      )}
      {error && (
        <span role="alert" className="error">
          {' '}
          {error}
        </span>
      )}
    </p>
  );
}

const pct = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)}%`);
const wait = (s: number) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

/** The floor manager's wallboard: the live queue and today's 60-second line, pushed by the server. */
export function Wallboard({ me }: { me: Me }) {
  const q = useLiveQueue();
  if (!q)
    return (
      <>
        <DemoSwitchControl me={me} />
        <p className="loading">Connecting to the queue…</p>
      </>
    );
  const within = q.today.answeredWithin60sPercent;
  // The national targets: 95% of answered calls within 60 seconds; under 5% abandoned.
  const lineMet = within === null || within >= 95;
  const abandonMet = q.today.abandonedPercent === null || q.today.abandonedPercent < 5;
  return (
    <section className="wallboard" aria-label="Wallboard">
      <h1>Queue wallboard</h1>
      <DemoSwitchControl me={me} />
      <div className="tiles">
        <p className="tile" data-testid="tile-waiting">
          <strong>{q.waiting.length}</strong> waiting
        </p>
        <p className={`tile ${q.longestWaitSeconds > 60 ? 'bad' : ''}`} data-testid="tile-longest">
          <strong>{wait(q.longestWaitSeconds)}</strong> longest wait
        </p>
        <p className="tile" data-testid="tile-free">
          <strong>{q.advisersFree}</strong> of {q.advisersSignedIn} advisers free
        </p>
        <p className={`tile ${lineMet ? 'good' : 'bad'}`} data-testid="tile-60s">
          <strong>{pct(within)}</strong> answered within 60 s today ({q.today.answeredWithin60s} of{' '}
          {q.today.answered}; target 95%)
        </p>
        <p className={`tile ${abandonMet ? 'good' : 'bad'}`} data-testid="tile-abandoned">
          <strong>{pct(q.today.abandonedPercent)}</strong> abandoned today ({q.today.abandoned} of{' '}
          {q.today.offered}; target under 5%)
        </p>
      </div>
      <table aria-label="Calls waiting">
        <thead>
          <tr>
            <th>Position</th>
            <th>Waiting</th>
            <th>Area</th>
            <th>Caller</th>
          </tr>
        </thead>
        <tbody>
          {q.waiting.map((w) => (
            <tr key={w.callId} className={w.waitingSeconds > 60 ? 'overdue' : undefined}>
              <td>{w.position}</td>
              <td>{wait(w.waitingSeconds)}</td>
              <td>{w.areaCode ?? '–'}</td>
              <td>{w.callerNumber ?? 'not presented'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Updated {new Date(q.at).toLocaleTimeString('en-GB')}; the server pushes a fresh view every 2 seconds.
      </p>
    </section>
  );
}
