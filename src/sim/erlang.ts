/**
 * Erlang C: how many people answering calls a queue needs to meet a service level, given how many
 * calls arrive and how long each takes. The standard staffing model of call centres (M/M/N queue).
 */
export interface StaffingQuestion {
  /** Calls arriving per hour. */
  readonly callsPerHour: number;
  /** Mean handling time of a call, in seconds. */
  readonly handleSeconds: number;
  /** Answer this share of calls (0–1)… */
  readonly serviceLevel: number;
  /** …within this many seconds. */
  readonly withinSeconds: number;
  /** Keep each person busy at most this share of the time (0–1), so nobody is driven at 100%. */
  readonly maxOccupancy?: number;
}

export interface Staffing {
  /** People answering at once. */
  readonly agents: number;
  /** Offered traffic in Erlangs (calls × handle time / period). */
  readonly erlangs: number;
  /** Probability a call has to wait at all. */
  readonly probabilityOfWait: number;
  /** Share answered within the target time. */
  readonly serviceLevel: number;
  readonly occupancy: number;
  /** Mean wait across all calls, seconds. */
  readonly averageSpeedOfAnswer: number;
}

/** Erlang C probability of waiting, from the Erlang B recursion (stable for hundreds of agents). */
export function probabilityOfWait(agents: number, erlangs: number): number {
  if (agents <= erlangs) return 1;
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (erlangs * b) / (n + erlangs * b);
  return (agents * b) / (agents - erlangs * (1 - b));
}

export function staffingFor(agents: number, q: StaffingQuestion): Staffing {
  const erlangs = (q.callsPerHour * q.handleSeconds) / 3600;
  const pw = probabilityOfWait(agents, erlangs);
  const stable = agents > erlangs;
  return {
    agents,
    erlangs,
    probabilityOfWait: pw,
    serviceLevel: stable ? 1 - pw * Math.exp((-(agents - erlangs) * q.withinSeconds) / q.handleSeconds) : 0,
    occupancy: agents === 0 ? (erlangs > 0 ? Number.POSITIVE_INFINITY : 0) : erlangs / agents,
    averageSpeedOfAnswer: stable ? (pw * q.handleSeconds) / (agents - erlangs) : Number.POSITIVE_INFINITY,
  };
}

const MAX_AGENTS = 100_000;

/** The fewest agents that meet the service level (and occupancy cap). No calls need no one. */
export function agentsNeeded(q: StaffingQuestion): Staffing {
  if (
    !(q.callsPerHour >= 0) ||
    !(q.handleSeconds > 0) ||
    !(q.serviceLevel > 0 && q.serviceLevel < 1) ||
    !(q.withinSeconds >= 0)
  ) {
    throw new RangeError(
      'callsPerHour ≥ 0, handleSeconds > 0, 0 < serviceLevel < 1 and withinSeconds ≥ 0 are needed',
    );
  }
  if (q.callsPerHour === 0) return staffingFor(0, q);
  const erlangs = (q.callsPerHour * q.handleSeconds) / 3600;
  const maxOccupancy = q.maxOccupancy ?? 1;
  let agents = Math.max(1, Math.floor(erlangs) + 1, Math.ceil(erlangs / maxOccupancy));
  for (; agents < MAX_AGENTS; agents++) {
    const s = staffingFor(agents, q);
    if (s.serviceLevel >= q.serviceLevel && s.occupancy <= maxOccupancy) return s;
  }
  throw new RangeError('more than 100,000 agents would be needed: check the inputs');
}
