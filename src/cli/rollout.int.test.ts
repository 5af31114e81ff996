import { describe, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines';
import { createServiceContext } from '../services/context';
import { rolloutApplyDeadline, rolloutStatus, routeCommand } from './rollout';

describeEachEngine('CLI: rollout status, apply-deadline, route', (use) => {
  const now = new Date('2011-10-01T09:00:00Z');
  // A fresh context per command, as each run of the CLI builds its own.
  const ctx = () => createServiceContext(use(), { now: () => now });

  describe('before and after the deadline', () => {
    it('routes LU1 3JU to "not live" the day before the pilot and to NHS Direct on the day', async () => {
      const before = (await routeCommand(ctx(), 'lu1 3ju', '2010-12-02')).join('\n');
      expect(before).toContain('not live');
      expect(before).toContain('0845 4647');
      const after = (await routeCommand(ctx(), 'LU1 3JU', '2010-12-03')).join('\n');
      expect(after).toMatch(/answered by NHS Direct NHS Trust \(NHSD\) — pilot/);
    });

    it('reports national coverage on the national date, then opts areas in once', async () => {
      const status = await rolloutStatus(ctx(), '2013-04-01');
      expect(status.find((l) => l.startsWith('England'))).toMatch(/15\/151/);
      const first = await rolloutApplyDeadline(ctx());
      expect(first[0]).toMatch(/opted 135 area\(s\) in/);
      const second = await rolloutApplyDeadline(ctx());
      expect(second[0]).toMatch(/nothing to do/);
      const after = await rolloutStatus(ctx(), '2013-04-01');
      expect(after.find((l) => l.startsWith('England'))).toMatch(/150\/151/);
      const bedford = (await routeCommand(ctx(), 'MK40', '2013-03-01')).join('\n');
      expect(bedford).toMatch(/NHS Direct NHS Trust \(NHSD\) — default provider/);
    });

    it('refuses a bad --at', async () => {
      await expect(routeCommand(ctx(), 'LU1', 'tomorrow')).rejects.toThrow(/--at must be a date/);
    });
  });
});
