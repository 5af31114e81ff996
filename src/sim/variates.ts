/**
 * Random variates for the simulator, drawn from one seeded stream (mulberry32, as
 * src/domain/random.ts) kept in a closure-free object so the hot loop makes no allocations.
 */

/** A handling time or patience distribution, as a scenario states it (seconds). */
export type Distribution =
  | { readonly kind: 'exponential'; readonly mean: number }
  | { readonly kind: 'lognormal'; readonly mean: number; readonly sd: number };

/** A distribution reduced to numbers: kind 0 exponential (a = mean), 1 lognormal (a = μ, b = σ of the log). */
export interface CompiledDistribution {
  readonly kind: 0 | 1;
  readonly a: number;
  readonly b: number;
}

export function compileDistribution(d: Distribution): CompiledDistribution {
  if (d.kind === 'exponential') return { kind: 0, a: d.mean, b: 0 };
  // A lognormal with this mean and standard deviation: σ² = ln(1 + sd²/mean²), μ = ln(mean) − σ²/2.
  const s2 = Math.log(1 + (d.sd * d.sd) / (d.mean * d.mean));
  return { kind: 1, a: Math.log(d.mean) - s2 / 2, b: Math.sqrt(s2) };
}

export class Variates {
  private state: number;
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.uniform()) * mean;
  }

  /** Standard normal by Marsaglia's polar method, keeping the second value for the next call. */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  draw(d: CompiledDistribution): number {
    return d.kind === 0 ? this.exponential(d.a) : Math.exp(d.a + d.b * this.normal());
  }
}
