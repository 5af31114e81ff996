import { describe, expect, it } from 'vitest';
import { triageContent } from '../../content/triage';
import {
  decideAnswer,
  decideBack,
  decideFinish,
  pathwayToStart,
  type SessionEvent,
  type TriageSessionRecord,
} from './index';

const content = triageContent();
const M0 = ['unresponsive', 'choking', 'fitting', 'bleeding'];
const no = (questionId: string): SessionEvent => ({
  kind: 'answer',
  pathwayId: 'module-0',
  questionId,
  value: 'no',
});
const session = (
  events: readonly SessionEvent[],
  status: TriageSessionRecord['status'] = 'in_progress',
): TriageSessionRecord => ({
  id: 's1',
  pathwayId: 'chest-pain',
  pathwayVersion: 1,
  module0Version: content.module0.version,
  status,
  events,
});
const crushing = { pathwayId: 'chest-pain', questionId: 'crushing', value: 'yes' };
const atDisposition = session([...M0.map(no), { kind: 'answer', ...crushing }]);

describe('triage session decisions', () => {
  it('starts only a known pathway that fits the patient', () => {
    expect(pathwayToStart(content, 'chest-pain', { ageYears: 58, sex: 'male' }).id).toBe('chest-pain');
    expect(() => pathwayToStart(content, 'no-such', { ageYears: 58, sex: 'male' })).toThrow(/no pathway/);
    expect(() => pathwayToStart(content, 'pregnancy-problems', { ageYears: 30, sex: 'male' })).toThrow(
      /does not fit this patient/,
    );
  });

  it('takes an answer to the question being asked, and only that', () => {
    expect(
      decideAnswer(content, session([]), {
        ...crushing,
        pathwayId: 'module-0',
        questionId: 'unresponsive',
        value: 'no',
      }),
    ).toEqual({ event: no('unresponsive'), detail: { answered: 'module-0/unresponsive' } });
    expect(() => decideAnswer(content, session([]), crushing)).toThrow(
      /question being asked is module-0\/unresponsive/,
    );
    expect(() =>
      decideAnswer(content, session([]), {
        pathwayId: 'module-0',
        questionId: 'unresponsive',
        value: 'maybe',
      }),
    ).toThrow(/takes one of yes, no/);
    expect(() => decideAnswer(content, atDisposition, crushing)).toThrow(/reached its disposition/);
  });

  it('goes back to the last answer or a named one', () => {
    expect(decideBack(atDisposition, {}).event).toEqual({ kind: 'back', keep: 4 });
    expect(decideBack(atDisposition, { pathwayId: 'module-0', questionId: 'choking' }).event).toEqual({
      kind: 'back',
      keep: 1,
    });
    expect(() => decideBack(session([]), {})).toThrow(/no answer to go back to/);
  });

  it('finishes only at a disposition, and a finished session takes nothing more', () => {
    expect(decideFinish(content, atDisposition).dispositionCode).toBe('Dx011');
    expect(() => decideFinish(content, session([]))).toThrow(/has not reached a disposition/);
    const finished = session(atDisposition.events, 'finished');
    expect(() => decideBack(finished, {})).toThrow(/is finished/);
    expect(() => decideFinish(content, finished)).toThrow(/is finished/);
    expect(() => decideAnswer(content, finished, crushing)).toThrow(/is finished/);
  });
});
