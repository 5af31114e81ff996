import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors';
import {
  decideApprove,
  decideRelease,
  decideRollback,
  decideSendForReview,
  inForceAt,
  releasedState,
  type VersionState,
} from './lifecycle';

const at = (iso: string) => new Date(iso);
const v = (
  version: number,
  status: VersionState['status'],
  releaseAt?: string,
  authorId = 7,
): VersionState => ({
  pathwayId: 'sore-throat',
  version,
  status,
  authorId,
  releaseAt: releaseAt ? at(releaseAt) : null,
});

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (isDomainError(err)) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'allowed';
};

describe('pathway change control', () => {
  it('puts in force the latest release not after the instant, and a scheduled one only from its time', () => {
    const versions = [v(1, 'released', '2026-01-15T00:00:00Z'), v(2, 'released', '2026-12-02T09:00:00Z')];
    expect(inForceAt(versions, at('2026-12-02T08:59:59Z')).get('sore-throat')?.version).toBe(1);
    expect(inForceAt(versions, at('2026-12-02T09:00:00Z')).get('sore-throat')?.version).toBe(2);
    const now = at('2026-12-01T00:00:00Z');
    expect(releasedState(versions[1] as VersionState, inForceAt(versions, now), now)).toBe('scheduled');
    expect(releasedState(versions[0] as VersionState, inForceAt(versions, now), now)).toBe('in force');
  });

  it('lets only the author send a draft for review', () => {
    expect(refusal(() => decideSendForReview(v(2, 'draft'), 7))).toBe('allowed');
    expect(refusal(() => decideSendForReview(v(2, 'draft'), 8))).toMatch(/^conflict: Only the author/);
    expect(refusal(() => decideSendForReview(v(2, 'approved'), 7))).toMatch(/^conflict: .* is approved/);
  });

  it('refuses the author signing off their own draft, and sign-off of a version not in review', () => {
    expect(refusal(() => decideApprove(v(2, 'in_review'), 7))).toMatch(
      /^conflict: You are the author of sore-throat version 2/,
    );
    expect(refusal(() => decideApprove(v(2, 'in_review'), 8))).toBe('allowed');
    expect(refusal(() => decideApprove(v(2, 'draft'), 8))).toMatch(/only a version in review/);
  });

  it('releases only an approved version, at its set time or now if that time is past', () => {
    const now = at('2026-12-02T10:00:00Z');
    expect(refusal(() => decideRelease(v(2, 'in_review'), undefined, now))).toMatch(
      /^conflict: .*only an approved version can be released/,
    );
    expect(decideRelease(v(2, 'approved'), at('2026-12-03T00:00:00Z'), now)).toEqual(
      at('2026-12-03T00:00:00Z'),
    );
    expect(decideRelease(v(2, 'approved'), at('2026-12-01T00:00:00Z'), now)).toEqual(now);
  });

  it('rolls back one step to the version released before, and never past the first release', () => {
    const now = at('2026-12-02T10:00:00Z');
    const versions = [v(1, 'released', '2026-01-15T00:00:00Z'), v(2, 'released', '2026-12-02T09:00:00Z')];
    const { retire, restore } = decideRollback(versions, 'sore-throat', now);
    expect([retire.version, restore.version]).toEqual([2, 1]);
    const afterRollback = [
      versions[0] as VersionState,
      { ...(versions[1] as VersionState), status: 'retired' as const },
    ];
    expect(inForceAt(afterRollback, now).get('sore-throat')?.version).toBe(1);
    expect(refusal(() => decideRollback(afterRollback, 'sore-throat', now))).toMatch(
      /^conflict: sore-throat version 1 is the first release/,
    );
  });
});
