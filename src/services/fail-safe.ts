import { sweepBreachedValidations, sweepUnacknowledgedReferrals } from './cases';
import type { ServiceContext } from './context';

/** What one pass of the fail-safes did. */
export interface FailSafePass {
  /** Cases whose validation breached: the ambulance dispatched (or the A&E referral sent) unvalidated. */
  readonly breached: readonly string[];
  /** Cases whose referral was not acknowledged within its timeframe: alerted. */
  readonly unacknowledged: readonly string[];
}

/** One pass, on the service's clock (`ctx.now`): what the running service does every `intervalMs`. */
export async function runFailSafes(ctx: ServiceContext): Promise<FailSafePass> {
  const breached = await sweepBreachedValidations(ctx);
  const unacknowledged = await sweepUnacknowledgedReferrals(ctx);
  return { breached, unacknowledged };
}

/**
 * Runs the fail-safes every `intervalMs` until stopped; a pass never overlaps the one before, and
 * stopping waits for the pass in flight. The server starts it; so do the browser tests that move the clock.
 */
export function startFailSafes(
  ctx: ServiceContext,
  options: { intervalMs: number; onError: (e: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = runFailSafes(ctx)
      .catch(options.onError)
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
