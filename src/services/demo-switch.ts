import { randomUUID } from 'node:crypto';
import { conflict } from '../domain/errors';
import { arrivalsInTick, callsPerHourAt, demoCallerNumber } from '../sim/demo-switch';
import { readSetting, writeSetting } from '../store/settings';
import type { ServiceContext } from './context';
import { receiveTelephonyEvent } from './telephony';
import { type Caller, listScope } from './use-case';

/** The areas the demo's providers answer for: the simulated switch offers their calls. */
export const DEMO_SWITCH_AREAS: readonly string[] = ['5GC', '5ND'];

const KEY = 'demo_switch';

/**
 * The simulated switch reports as a telephony service account would: through the same CTI use case,
 * under its own name on the audit trail.
 */
const SWITCH: Caller = {
  actor: {
    userId: 0,
    username: 'sim:switch',
    displayName: 'Simulated telephony switch (demo)',
    role: 'telephony',
    organisationCode: 'NHSD',
  },
  requestId: null,
};

export interface DemoSwitchState {
  /** Only a demo service has a simulated switch. */
  readonly demo: boolean;
  /** Offering calls now (false: paused, or never started: the default, so tests see no calls unasked). */
  readonly running: boolean;
  /** Calls an hour the demand model expects now, over the demo areas (the server may run it faster). */
  readonly callsPerHour: number;
}

async function populations(ctx: ServiceContext): Promise<{ areaCode: string; population: number }[]> {
  const geo = await ctx.geography();
  return DEMO_SWITCH_AREAS.flatMap((code) => {
    const area = geo.areas.get(code);
    return area ? [{ areaCode: code, population: area.population2011 }] : [];
  });
}

const isRunning = async (ctx: ServiceContext) => (await readSetting(ctx.store.db, KEY)) === 'running';

/** The switch as the wallboard shows it. */
export async function demoSwitchState(ctx: ServiceContext): Promise<DemoSwitchState> {
  const now = ctx.now();
  const areas = await populations(ctx);
  return {
    demo: ctx.demo,
    running: ctx.demo && (await isRunning(ctx)),
    callsPerHour: Math.round(areas.reduce((sum, a) => sum + callsPerHourAt(a.population, now), 0) * 10) / 10,
  };
}

/** Starts or pauses the simulated switch (demo mode only). */
export async function setDemoSwitch(
  ctx: ServiceContext,
  caller: Caller,
  running: boolean,
): Promise<DemoSwitchState> {
  await listScope(ctx, caller, 'demo.switch', { type: 'demo_switch' });
  if (!ctx.demo)
    throw conflict(
      'The simulated switch runs only in demo mode (open111 serve --demo): real calls come from the telephony switch.',
    );
  await writeSetting(ctx.store.db, KEY, running ? 'running' : 'paused');
  return demoSwitchState(ctx);
}

/** One tick: while running, each demo area's arrivals for the tick are offered through the CTI use case. */
export async function demoSwitchTick(
  ctx: ServiceContext,
  tickMs: number,
  speed: number,
  random: () => number,
): Promise<number> {
  if (!ctx.demo || !(await isRunning(ctx))) return 0;
  const now = ctx.now();
  let offered = 0;
  for (const area of await populations(ctx)) {
    const n = arrivalsInTick(area.population, now, tickMs, speed, random);
    for (let i = 0; i < n; i++) {
      await receiveTelephonyEvent(ctx, SWITCH, {
        type: 'offered',
        callRef: `SIM-${randomUUID()}`,
        at: now,
        callerNumber: demoCallerNumber(random),
        dialled: '111',
        areaCode: area.areaCode,
      });
      offered++;
    }
  }
  return offered;
}

/**
 * Runs the simulated switch every `tickMs` (demo mode): the server starts it, and marks it running the
 * first time a demo is served so a new user sees calls arrive; a test starts it only when it asks.
 */
export function startDemoSwitch(
  ctx: ServiceContext,
  options: { tickMs: number; speed: number; onError: (e: unknown) => void; random?: () => number },
): { stop(): Promise<void> } {
  const random = options.random ?? Math.random;
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = demoSwitchTick(ctx, options.tickMs, options.speed, random)
      .catch(options.onError)
      .finally(() => {
        running = null;
      });
  }, options.tickMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The first demo start turns the switch on; after that, whatever was last chosen stands. */
export async function switchOnFirstDemo(ctx: ServiceContext): Promise<void> {
  if (ctx.demo && (await readSetting(ctx.store.db, KEY)) === undefined)
    await writeSetting(ctx.store.db, KEY, 'running');
}
