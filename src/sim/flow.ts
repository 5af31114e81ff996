import {
  type CallKpis,
  KpiTally,
  OUTCOME,
  OUTCOME_GROUPS,
  type OutcomeKpis,
  OutcomeTally,
} from '../domain/calls/index';
import { EventHeap, TimeHeap } from './heap';
import { type CompiledDistribution, Variates } from './variates';

/**
 * The whole 111 flow as numbers, hour by hour: what the simulator runs. A scenario file compiles to
 * this (src/sim/scenario.ts); the benchmarks and tests build it directly.
 */
export interface FlowModel {
  /** Expected calls offered in each hour of the run. */
  readonly callsByHour: Float64Array;
  /** Call advisers on duty in each hour. */
  readonly advisersByHour: Int32Array;
  /** Clinicians on duty in each hour (warm transfers, call-backs and validation). */
  readonly cliniciansByHour: Int32Array;
  readonly adviserHandling: CompiledDistribution;
  /** A clinician's assessment (warm-transferred or called back). */
  readonly clinicianHandling: CompiledDistribution;
  /** A clinician validating an adviser's ambulance category 3/4 or A&E disposition. */
  readonly validationHandling: CompiledDistribution;
  /** How long a caller waits for an adviser before hanging up; null: nobody hangs up. */
  readonly patience: CompiledDistribution | null;
  /**
   * Clinical routing after the adviser's part. False runs the adviser queue alone (the M/M/c model),
   * drawing nothing more per call.
   */
  readonly clinical: boolean;
  /** Share of answered calls the adviser passes to a clinician for assessment. */
  readonly clinicianShare: number;
  /** Disposition mix by group (ambulance, A&E, primary care, other, self-care); normalised here. */
  readonly outcomeMix: readonly number[];
  /** Share of ambulance dispositions in categories 3/4, which a clinician validates before dispatch. */
  readonly ambulanceValidatedShare: number;
  /** Whether A&E dispositions are validated too. */
  readonly validateEmergencyDepartment: boolean;
  /** When a call-back is due after the adviser's part ends: assessment, and validation. */
  readonly assessmentDueSeconds: number;
  readonly validationDueSeconds: number;
  readonly seed: number;
  /** Keep a tally per hour (the report's hourly series); off, one running total. */
  readonly hourly: boolean;
}

export interface FlowHour {
  readonly hour: number;
  readonly calls: CallKpis;
  readonly outcomes: OutcomeKpis;
  readonly advisers: number;
  readonly clinicians: number;
}

export interface FlowResult {
  readonly hours: number;
  readonly calls: CallKpis;
  readonly outcomes: OutcomeKpis;
  /** Per hour, when the model asked for it. */
  readonly series: readonly FlowHour[];
  /** Call-backs still waiting when the run ended (no clinician left to make them). */
  readonly callBacksPending: number;
}

// Stage-two event kinds, packed in the low two bits of the event payload.
const READY = 0; // the adviser's part ended; the call needs a clinician
const DONE = 1; // a clinician finished (a warm transfer, a call-back or a validation)
const SHIFT = 2; // clinician staffing changes at the top of an hour
// What a clinician is asked to do for a call.
const ASSESS = 0;
const VALIDATE = 1;

const HOUR = 3600;

/**
 * A discrete-event simulation of the whole flow, run hour by hour so a caller can show progress.
 *
 * Advisers: calls arrive as a Poisson process whose rate changes each hour, and queue first come first
 * served. Because the queue is FCFS, each arrival can be settled when it arrives: it takes the adviser
 * free soonest (a heap of free times), at max(arrival, free), unless its patience runs out first; an
 * abandoned caller takes nobody's time. Rota changes are applied before any start they precede (an
 * earlier caller has first claim on an adviser joining at 08:00). Advisers going off duty finish the
 * call in hand.
 *
 * Clinicians: answered calls needing one (assessment, or validation of an ambulance category 3/4 or A&E
 * disposition) reach them when the adviser's part ends — a warm transfer if a clinician is free, else
 * the call-back queue, earliest due first. These are events in a heap, interleaved with arrivals in
 * time order. Every call's state lives in typed arrays indexed by a recycled slot; the KPIs are tallied
 * as calls finish (KpiTally, OutcomeTally: the code the Reports screen uses), so memory does not grow
 * with the number of calls.
 */
export class FlowSimulation {
  private readonly m: FlowModel;
  private readonly rnd: Variates;
  private readonly cumulativeMix: Float64Array;
  private readonly advisers = new TimeHeap(64);
  private adviserCount = 0;
  /** The next hour whose adviser staffing has not been applied. */
  private adviserHour = 0;
  private readonly events = new EventHeap(256);
  private readonly callBackQueue = new EventHeap(256);
  private clinicianIdle = 0;
  private clinicianOnDuty = 0;
  /** Clinicians whose shift has ended but who are finishing a call. */
  private clinicianLeaving = 0;
  // Per-call state for calls with a clinician step, by slot.
  private slotHour = new Int32Array(1024);
  private slotKind = new Uint8Array(1024);
  private slotOutcome = new Uint8Array(1024);
  private slotWarm = new Uint8Array(1024);
  private slotWait = new Float64Array(1024);
  private slotAnswered = new Float64Array(1024);
  private slotReady = new Float64Array(1024);
  private slotDue = new Float64Array(1024);
  private freeSlots = new Int32Array(1024);
  private freeCount = 0;
  private slotsUsed = 0;
  private readonly callTallies: KpiTally[];
  private readonly outcomeTallies: OutcomeTally[];
  /** Hours simulated so far. */
  hour = 0;

  constructor(model: FlowModel) {
    const n = model.callsByHour.length;
    if (model.advisersByHour.length !== n || model.cliniciansByHour.length !== n)
      throw new RangeError('calls, advisers and clinicians are needed for every hour');
    this.m = model;
    this.rnd = new Variates(model.seed);
    const total = model.outcomeMix.reduce((a, b) => a + b, 0);
    if (model.outcomeMix.length !== OUTCOME_GROUPS.length || !(total > 0))
      throw new RangeError('an outcome mix of five groups is needed');
    this.cumulativeMix = new Float64Array(OUTCOME_GROUPS.length);
    let run = 0;
    for (let i = 0; i < OUTCOME_GROUPS.length; i++) {
      run += (model.outcomeMix[i] ?? 0) / total;
      this.cumulativeMix[i] = run;
    }
    this.cumulativeMix[OUTCOME_GROUPS.length - 1] = 1;
    const tallies = model.hourly ? n : 1;
    this.callTallies = Array.from({ length: tallies }, () => new KpiTally());
    this.outcomeTallies = Array.from({ length: tallies }, () => new OutcomeTally());
    if (n > 0) this.events.push(0, SHIFT);
  }

  get hours(): number {
    return this.m.callsByHour.length;
  }

  /** Simulates the next `count` hours of arrivals (the last hours' calls finish in `finish`). */
  runHours(count: number): void {
    const end = Math.min(this.hours, this.hour + count);
    const rnd = this.rnd;
    for (; this.hour < end; this.hour++) {
      const h = this.hour;
      const rate = (this.m.callsByHour[h] ?? 0) / HOUR;
      if (!(rate > 0)) continue;
      const meanGap = 1 / rate;
      const hourEnd = (h + 1) * HOUR;
      // Exponential gaps restart at each hour: memoryless, so the piecewise-constant rate is exact.
      let t = h * HOUR + rnd.exponential(meanGap);
      while (t < hourEnd) {
        this.arrive(t, h);
        t += rnd.exponential(meanGap);
      }
    }
  }

  private applyAdviserHour(b: number): void {
    const target = this.m.advisersByHour[b] ?? 0;
    const at = b * HOUR;
    while (this.adviserCount < target) {
      this.advisers.push(at);
      this.adviserCount++;
    }
    // Those free soonest go off duty: idle ones at once, busy ones when their call ends.
    while (this.adviserCount > target) {
      this.advisers.pop();
      this.adviserCount--;
    }
  }

  private arrive(t: number, h: number): void {
    const m = this.m;
    const rnd = this.rnd;
    if (this.events.minTime() <= t) this.processEventsUntil(t);
    const tally = this.callTallies[m.hourly ? h : 0] as KpiTally;
    // Staffing changes up to the moment this caller would be answered, in order.
    while (this.adviserHour < this.hours && this.adviserHour * HOUR <= Math.max(t, this.advisers.min()))
      this.applyAdviserHour(this.adviserHour++);
    const free = this.advisers.min();
    const start = free > t ? free : t;
    const patience = m.patience === null ? Number.POSITIVE_INFINITY : rnd.draw(m.patience);
    const wait = start - t;
    if (wait > patience) {
      tally.abandonedCall(patience);
      return;
    }
    if (start === Number.POSITIVE_INFINITY) {
      // No adviser ever comes on duty and the caller never hangs up: still waiting at the end.
      tally.waiting();
      return;
    }
    const handle = rnd.draw(m.adviserHandling);
    const end = start + handle;
    this.advisers.replaceMin(end);
    if (!m.clinical) {
      tally.answeredCall(wait, false, handle);
      return;
    }
    const outcomes = this.outcomeTallies[m.hourly ? h : 0] as OutcomeTally;
    if (rnd.uniform() < m.clinicianShare) {
      outcomes.passedToClinician++;
      this.needsClinician(h, ASSESS, 0, wait, start, end);
      return;
    }
    const group = this.drawOutcome();
    if (
      (group === OUTCOME.ambulance && rnd.uniform() < m.ambulanceValidatedShare) ||
      (group === OUTCOME.emergency_department && m.validateEmergencyDepartment)
    ) {
      outcomes.validations++;
      this.needsClinician(h, VALIDATE, group, wait, start, end);
      return;
    }
    tally.answeredCall(wait, false, handle);
    outcomes.disposition(group);
  }

  private drawOutcome(): number {
    const u = this.rnd.uniform();
    const c = this.cumulativeMix;
    let g = 0;
    while (u >= (c[g] as number)) g++;
    return g;
  }

  private needsClinician(h: number, kind: number, group: number, wait: number, start: number, end: number) {
    const s = this.takeSlot();
    this.slotHour[s] = h;
    this.slotKind[s] = kind;
    this.slotOutcome[s] = group;
    this.slotWait[s] = wait;
    this.slotAnswered[s] = start;
    this.slotReady[s] = end;
    this.events.push(end, (s << 2) | READY);
  }

  private takeSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount] as number;
    if (this.slotsUsed === this.slotHour.length) this.growSlots();
    return this.slotsUsed++;
  }

  private growSlots(): void {
    const n = this.slotHour.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.slotHour = grow(this.slotHour, (k) => new Int32Array(k));
    this.slotKind = grow(this.slotKind, (k) => new Uint8Array(k));
    this.slotOutcome = grow(this.slotOutcome, (k) => new Uint8Array(k));
    this.slotWarm = grow(this.slotWarm, (k) => new Uint8Array(k));
    this.slotWait = grow(this.slotWait, (k) => new Float64Array(k));
    this.slotAnswered = grow(this.slotAnswered, (k) => new Float64Array(k));
    this.slotReady = grow(this.slotReady, (k) => new Float64Array(k));
    this.slotDue = grow(this.slotDue, (k) => new Float64Array(k));
    this.freeSlots = grow(this.freeSlots, (k) => new Int32Array(k));
  }

  private processEventsUntil(until: number): void {
    const ev = this.events;
    while (ev.size > 0 && ev.minTime() <= until) {
      const t = ev.minTime();
      const v = ev.minValue();
      ev.pop();
      const kind = v & 3;
      const subject = v >> 2;
      if (kind === READY) this.ready(t, subject);
      else if (kind === DONE) this.done(t, subject);
      else this.shift(t, subject);
    }
  }

  private tallyIndex(s: number): number {
    return this.m.hourly ? (this.slotHour[s] as number) : 0;
  }

  /** The adviser's part has ended: a warm transfer to a free clinician, else a call-back when due. */
  private ready(t: number, s: number): void {
    if (this.clinicianIdle > 0) {
      this.clinicianIdle--;
      this.slotWarm[s] = 1;
      this.startClinician(t, s);
      return;
    }
    this.slotWarm[s] = 0;
    const i = this.tallyIndex(s);
    // The caller's call ends here; the clinician rings back later.
    (this.callTallies[i] as KpiTally).answeredCall(
      this.slotWait[s] as number,
      false,
      t - (this.slotAnswered[s] as number),
    );
    (this.outcomeTallies[i] as OutcomeTally).callBacks++;
    const due = t + (this.slotKind[s] === ASSESS ? this.m.assessmentDueSeconds : this.m.validationDueSeconds);
    this.slotDue[s] = due;
    this.callBackQueue.push(due, s);
  }

  private startClinician(t: number, s: number): void {
    const d = this.slotKind[s] === ASSESS ? this.m.clinicianHandling : this.m.validationHandling;
    this.events.push(t + this.rnd.draw(d), (s << 2) | DONE);
  }

  private done(t: number, s: number): void {
    const i = this.tallyIndex(s);
    const outcomes = this.outcomeTallies[i] as OutcomeTally;
    if (this.slotWarm[s] === 1) {
      outcomes.warmTransfers++;
      (this.callTallies[i] as KpiTally).answeredCall(
        this.slotWait[s] as number,
        true,
        t - (this.slotAnswered[s] as number),
      );
    }
    outcomes.disposition(this.slotKind[s] === ASSESS ? this.drawOutcome() : (this.slotOutcome[s] as number));
    this.freeSlots[this.freeCount++] = s;
    this.clinicianFree(t);
  }

  /** A clinician is free at `t`: leaves if their shift is over, else makes the next call-back due. */
  private clinicianFree(t: number): void {
    if (this.clinicianLeaving > 0) {
      this.clinicianLeaving--;
      this.clinicianOnDuty--;
      return;
    }
    const q = this.callBackQueue;
    if (q.size === 0) {
      this.clinicianIdle++;
      return;
    }
    const s = q.minValue();
    q.pop();
    const i = this.tallyIndex(s);
    (this.outcomeTallies[i] as OutcomeTally).callBackMade(
      t - (this.slotReady[s] as number),
      t - (this.slotDue[s] as number),
    );
    this.startClinician(t, s);
  }

  private shift(t: number, h: number): void {
    const target = this.m.cliniciansByHour[h] ?? 0;
    // Cancel departures first, then bring new clinicians on, each taking a waiting call-back.
    while (this.clinicianOnDuty - this.clinicianLeaving < target) {
      if (this.clinicianLeaving > 0) this.clinicianLeaving--;
      else {
        this.clinicianOnDuty++;
        this.clinicianFree(t);
      }
    }
    while (this.clinicianOnDuty - this.clinicianLeaving > target) {
      if (this.clinicianIdle > 0) {
        this.clinicianIdle--;
        this.clinicianOnDuty--;
      } else this.clinicianLeaving++;
    }
    if (h + 1 < this.hours) this.events.push((h + 1) * HOUR, ((h + 1) << 2) | SHIFT);
  }

  /** Runs any hours left, lets every call in hand finish, and reports. */
  finish(): FlowResult {
    this.runHours(this.hours - this.hour);
    this.processEventsUntil(Number.POSITIVE_INFINITY);
    const calls = new KpiTally();
    const outcomes = new OutcomeTally();
    for (const t of this.callTallies) calls.add(t);
    for (const t of this.outcomeTallies) outcomes.add(t);
    return {
      hours: this.hours,
      calls: calls.kpis(),
      outcomes: outcomes.kpis(),
      series: this.m.hourly
        ? this.callTallies.map((c, hour) => ({
            hour,
            calls: c.kpis(),
            outcomes: (this.outcomeTallies[hour] as OutcomeTally).kpis(),
            advisers: this.m.advisersByHour[hour] ?? 0,
            clinicians: this.m.cliniciansByHour[hour] ?? 0,
          }))
        : [],
      callBacksPending: this.callBackQueue.size,
    };
  }
}

/** Runs a flow model to the end. */
export function simulateFlow(model: FlowModel): FlowResult {
  return new FlowSimulation(model).finish();
}
