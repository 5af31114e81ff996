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

/** An M/M/n+M queue (Erlang A): Poisson arrivals, exponential handling and exponential patience. */
export interface ErlangAQuestion {
  readonly agents: number;
  /** Calls arriving per second. */
  readonly arrivalsPerSecond: number;
  readonly handleSeconds: number;
  /** Mean time a caller waits before hanging up; Infinity for Erlang C. */
  readonly patienceSeconds: number;
}

export interface ErlangA {
  /** Probability an arriving caller has to wait at all. */
  readonly probabilityOfWait: number;
  /** Share of calls abandoned. */
  readonly abandonedShare: number;
  /** Share of calls answered within `withinSeconds` (of all calls). */
  readonly answeredWithinShare: number;
  /** Answered within the threshold as a share of answered calls: the national "95% in 60 s" measure. */
  readonly serviceLevel: number;
  /** Share of all calls abandoned after waiting more than `abandonAfterSeconds`: the "< 5% after 30 s" measure. */
  readonly abandonedAfterShare: number;
  readonly meanQueue: number;
}

/**
 * Erlang A by its stationary distribution and, for the waits, the caller's own path through the
 * queue. A caller who finds all n agents busy and k ahead moves forward at rate nμ + iθ while i are
 * ahead (an agent frees, or someone ahead hangs up), and gives up at rate θ; the chance of being
 * answered (or of abandoning) by time t is read off that small chain by uniformisation. This is exact
 * up to truncation (terms below 1e-15), so it can check the simulator to far better than a point.
 */
export function erlangA(q: ErlangAQuestion, withinSeconds = 60, abandonAfterSeconds = 30): ErlangA {
  const n = q.agents;
  const lambda = q.arrivalsPerSecond;
  const mu = 1 / q.handleSeconds;
  const theta = Number.isFinite(q.patienceSeconds) ? 1 / q.patienceSeconds : 0;
  if (!(n >= 1) || !(lambda > 0) || !(mu > 0) || !(theta >= 0))
    throw new RangeError('agents ≥ 1, a positive arrival rate and positive handling and patience are needed');
  if (theta === 0 && lambda >= n * mu) throw new RangeError('without abandonment the queue must be stable');
  // Unnormalised stationary probabilities, scaled by the largest so far to stay in range.
  const p: number[] = [1];
  for (let j = 1; j <= n; j++) p.push((p[j - 1] ?? 0) * (lambda / (j * mu)));
  let k = 0;
  for (;;) {
    k++;
    const next = (p[n + k - 1] ?? 0) * (lambda / (n * mu + k * theta));
    p.push(next);
    if (k > 20 && next < 1e-16 * (p[n] ?? 1)) break;
    if (k > 2_000_000) throw new RangeError('the queue does not settle: too few agents for the load');
  }
  const total = p.reduce((a, b) => a + b, 0);
  const pi = p.map((x) => x / total);
  const K = pi.length - n - 1; // most callers ahead considered
  let probabilityOfWait = 0;
  let meanQueue = 0;
  for (let j = n; j < pi.length; j++) {
    probabilityOfWait += pi[j] ?? 0;
    meanQueue += (j - n) * (pi[j] ?? 0);
  }
  // Arriving to find j ≥ n in the system (PASTA) puts the caller at position j − n.
  const start = new Float64Array(K + 1);
  for (let i = 0; i <= K; i++) start[i] = pi[n + i] ?? 0;
  const absorbedBy = (t: number): { answered: number; abandoned: number } => {
    const rate = n * mu + K * theta + theta;
    const v = Float64Array.from(start);
    const next = new Float64Array(K + 1);
    let answered = 0;
    let abandoned = 0;
    const mean = rate * t;
    let weight = Math.exp(-mean);
    // Poisson(mean) weights by recursion; the tail beyond mean + 12√mean + 30 is negligible.
    const steps = Math.ceil(mean + 12 * Math.sqrt(mean) + 30);
    let answeredT = weight * answered;
    let abandonedT = weight * abandoned;
    let logWeight = -mean;
    for (let m = 1; m <= steps; m++) {
      next.fill(0);
      for (let i = 0; i <= K; i++) {
        const x = v[i] ?? 0;
        if (x === 0) continue;
        const forward = i === 0 ? n * mu : n * mu + i * theta;
        if (i === 0) answered += (x * forward) / rate;
        else next[i - 1] = (next[i - 1] ?? 0) + (x * forward) / rate;
        abandoned += (x * theta) / rate;
        next[i] = (next[i] ?? 0) + x * (1 - (forward + theta) / rate);
      }
      v.set(next);
      logWeight += Math.log(mean) - Math.log(m);
      weight = Math.exp(logWeight);
      answeredT += weight * answered;
      abandonedT += weight * abandoned;
    }
    return { answered: answeredT, abandoned: abandonedT };
  };
  const within = absorbedBy(withinSeconds);
  const early = absorbedBy(abandonAfterSeconds);
  // Abandonment rate equals θ × mean queue (every waiting caller hangs up at rate θ).
  const abandonedShare = (theta * meanQueue) / lambda;
  const answeredWithinShare = 1 - probabilityOfWait + within.answered;
  return {
    probabilityOfWait,
    abandonedShare,
    answeredWithinShare,
    serviceLevel: answeredWithinShare / (1 - abandonedShare),
    abandonedAfterShare: abandonedShare - early.abandoned,
    meanQueue,
  };
}

/** Planning targets for one hour, as the national standards set them. */
export interface ErlangATargets {
  /** Share of answered calls answered within `withinSeconds` (0.95 in 60 s). */
  readonly serviceLevel: number;
  readonly withinSeconds: number;
  /** At most this share of calls abandoned after `abandonAfterSeconds` (0.05 after 30 s). */
  readonly maxAbandonedAfter: number;
  readonly abandonAfterSeconds: number;
  /** Keep each person busy at most this share of the time. */
  readonly maxOccupancy?: number;
}

/** The fewest agents meeting the service level, the abandonment cap and the occupancy cap under Erlang A. */
export function agentsNeededErlangA(
  load: Omit<ErlangAQuestion, 'agents'>,
  t: ErlangATargets,
): { agents: number; result: ErlangA | null; occupancy: number } {
  if (load.arrivalsPerSecond <= 0) return { agents: 0, result: null, occupancy: 0 };
  const erlangs = load.arrivalsPerSecond * load.handleSeconds;
  // Erlang C's answer is an upper bound (patience only helps the callers who stay), so search below it.
  let agents = Math.max(1, Math.ceil(erlangs / (t.maxOccupancy ?? 1)) - 1, Math.floor(erlangs * 0.5));
  for (; agents < MAX_AGENTS; agents++) {
    const r = erlangA({ ...load, agents }, t.withinSeconds, t.abandonAfterSeconds);
    // Occupancy counts only the calls answered: abandoned callers never reach an agent.
    const occupancy = (erlangs * (1 - r.abandonedShare)) / agents;
    if (
      r.serviceLevel >= t.serviceLevel &&
      r.abandonedAfterShare <= t.maxAbandonedAfter &&
      occupancy <= (t.maxOccupancy ?? 1)
    )
      return { agents, result: r, occupancy };
  }
  throw new RangeError('more than 100,000 agents would be needed: check the inputs');
}
