import { describe, expect, it } from 'vitest';
import { triageContent } from '../content/triage';
import { scriptedCallers } from '../domain/load/index';
import { readCasesFile } from '../services/triage-eval';
import { birthDateFor, Tally } from './load';

describe('the load generator’s callers', () => {
  it('gives every case a birth date the API accepts, fractional ages included', () => {
    const now = new Date('2026-12-02T10:00:00Z');
    for (const age of [0.1, 0.5, 1.5, 2, 45, 99.9])
      expect(birthDateFor(age, now)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // A one-and-a-half-year-old is one on the day of the run, not born in the year 2024.5.
    expect(birthDateFor(1.5, now)).toBe('2025-06-15');
    expect(birthDateFor(0.1, now)).toBe('2026-10-26');
  });

  it('starts every scripted caller on a symptom pathway, never on module 0 alone', () => {
    const content = triageContent();
    const callers = scriptedCallers(content, readCasesFile());
    expect(callers.length).toBeGreaterThan(50);
    for (const c of callers) expect(c.pathwayId).not.toBe(content.module0.id);
  });
});

describe('the load generator’s tally', () => {
  it('counts each request type’s requests over 100 ms beside its percentiles', () => {
    const tally = new Tally();
    for (const ms of [5, 150, 100, 100.5, 99.9]) tally.record('triage.answer', ms);
    tally.record('cases.open', 3);
    const figures = tally.figures();
    expect(figures['triage.answer']).toMatchObject({ count: 5, over100ms: 2 });
    expect(figures['cases.open']).toMatchObject({ count: 1, over100ms: 0 });
  });
});
