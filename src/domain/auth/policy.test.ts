import { describe, expect, it } from 'vitest';
import {
  decide,
  inScope,
  type OrganisationTree,
  PERMISSIONS,
  POLICY,
  rolesWith,
  scopeFilter,
  scopeOf,
} from './policy';
import { type Actor, ROLES, type Role } from './roles';

// Two SHAs with two PCTs each; a CCG covering one PCT of the first.
const tree: OrganisationTree = {
  regionOfArea: new Map([
    ['5GC', 'Q35'],
    ['5P2', 'Q35'],
    ['5N7', 'Q30'],
    ['5KF', 'Q30'],
  ]),
  areasOfCcg: new Map([['06F', new Set(['5P2'])]]),
};

const actor = (role: Role, organisationCode: string): Actor => ({
  userId: 1,
  username: role,
  displayName: role,
  role,
  organisationCode,
});

describe('the access policy', () => {
  it('names only real roles, and every permission has at least one', () => {
    for (const p of PERMISSIONS) {
      expect(rolesWith(p).length).toBeGreaterThan(0);
      for (const r of Object.keys(POLICY[p])) expect(ROLES).toContain(r);
    }
  });

  it("keeps one provider's patient records from another's staff, and says 'not found'", () => {
    for (const p of [
      'call.read',
      'case.read',
      'triage_session.read',
      'triage_session.answer',
      'message.read',
    ] as const) {
      const holder = rolesWith(p).find((r) => r !== 'system_admin') ?? 'health_adviser';
      expect(decide(actor(holder, 'NHSD'), p, { providerCode: 'NHSD' }, tree)).toEqual({ allowed: true });
      const other = decide(actor(holder, 'RYC'), p, { providerCode: 'NHSD' }, tree);
      expect(other).toMatchObject({ allowed: false, hide: true });
    }
  });

  it('refuses a role that never holds a permission with a 403 that names the roles that do', () => {
    const d = decide(actor('provider_admin', 'RYC'), 'call.offer', { providerCode: 'RYC' }, tree);
    expect(d).toEqual({ allowed: true });
    const hospital = decide(actor('dos_lead', 'Q35'), 'call.offer', { providerCode: 'Q35' }, tree);
    expect(hospital).toMatchObject({ allowed: false, hide: false });
    expect(hospital.allowed ? '' : hospital.reason).toContain('health_adviser');
  });

  it('lets a commissioner count the areas under it: SHA its PCTs, CCG its PCTs, DH every one', () => {
    const sha = actor('commissioner', 'Q35');
    const ccg = actor('commissioner', '06F');
    const dh = actor('commissioner', 'DH');
    expect(decide(sha, 'kpi.read', { areaCode: '5GC' }, tree).allowed).toBe(true);
    expect(decide(sha, 'kpi.read', { areaCode: '5N7' }, tree).allowed).toBe(false);
    expect(decide(ccg, 'kpi.read', { areaCode: '5P2' }, tree).allowed).toBe(true);
    expect(decide(ccg, 'kpi.read', { areaCode: '5GC' }, tree).allowed).toBe(false);
    expect(decide(dh, 'kpi.read', { areaCode: '5N7' }, tree).allowed).toBe(true);
    expect(scopeOf(ccg, 'kpi.read', tree)).toEqual({ kind: 'areas', areaCodes: new Set(['5P2']) });
    expect(scopeOf(sha, 'kpi.read', tree)).toEqual({ kind: 'areas', areaCodes: new Set(['5GC', '5P2']) });
    expect(scopeOf(dh, 'kpi.read', tree)).toEqual({ kind: 'all' });
  });

  it('turns every scope into the filter a list applies: one provider, some areas (none is none), or all', () => {
    const of = (a: Actor) => {
      const scope = scopeOf(a, 'incident.read', tree);
      if (!('kind' in scope)) throw new Error('expected a scope');
      return scopeFilter(scope);
    };
    expect(of(actor('governance', 'NHSD'))).toEqual({ providerCode: 'NHSD' });
    expect(of(actor('commissioner', '06F'))).toEqual({ areaCodes: new Set(['5P2']) });
    expect(of(actor('commissioner', 'Q35'))).toEqual({ areaCodes: new Set(['5GC', '5P2']) });
    expect(of(actor('commissioner', 'XXX'))).toEqual({ areaCodes: new Set() });
    expect(of(actor('system_admin', 'NHSD'))).toEqual({});
  });

  it('lets only the national administrator load reference data', () => {
    expect(decide(actor('system_admin', 'DH'), 'reference.import', {}, tree).allowed).toBe(true);
    expect(decide(actor('system_admin', 'NHSD'), 'reference.import', {}, tree).allowed).toBe(false);
    expect(decide(actor('commissioner', 'DH'), 'reference.import', {}, tree).allowed).toBe(false);
  });

  it('scopes provider staff to their provider, and governance is provider staff too', () => {
    const scope = scopeOf(actor('governance', 'NHSD'), 'call.read', tree);
    expect(scope).toEqual({ kind: 'provider', providerCode: 'NHSD' });
    if (!('kind' in scope)) throw new Error('expected a scope');
    expect(inScope(scope, { providerCode: 'NHSD' })).toBe(true);
    expect(inScope(scope, { providerCode: 'RYC' })).toBe(false);
  });

  it('lets an SHA edit plans of its own areas, a CCG approve only those it covers, DH apply the deadline', () => {
    expect(decide(actor('commissioner', 'Q35'), 'plan.edit', { areaCode: '5GC' }, tree).allowed).toBe(true);
    expect(decide(actor('commissioner', 'Q35'), 'plan.edit', { areaCode: '5N7' }, tree).allowed).toBe(false);
    expect(decide(actor('commissioner', '06F'), 'plan.edit', { areaCode: '5P2' }, tree).allowed).toBe(false);
    expect(decide(actor('commissioner', '06F'), 'plan.approve', { areaCode: '5P2' }, tree).allowed).toBe(
      true,
    );
    expect(decide(actor('commissioner', 'Q35'), 'plan.approve', { areaCode: '5P2' }, tree).allowed).toBe(
      false,
    );
    expect(decide(actor('commissioner', 'DH'), 'deadline.apply', {}, tree).allowed).toBe(true);
    expect(decide(actor('commissioner', 'Q35'), 'deadline.apply', {}, tree).allowed).toBe(false);
    expect(decide(actor('system_admin', 'DH'), 'plan.edit', { areaCode: '5N7' }, tree).allowed).toBe(true);
  });

  it('lets only the national administrator manage users', () => {
    expect(decide(actor('system_admin', 'DH'), 'user.admin', {}, tree).allowed).toBe(true);
    expect(decide(actor('system_admin', 'NHSD'), 'user.admin', {}, tree).allowed).toBe(false);
    expect(decide(actor('provider_admin', 'NHSD'), 'user.admin', {}, tree).allowed).toBe(false);
  });

  it("lets a provider's own staff, and the area's DoS lead, set a service's capacity; no one else", () => {
    const service = { providerCode: '5GC-ACUTE', areaCode: '5GC' };
    expect(decide(actor('provider_admin', '5GC-ACUTE'), 'service.capacity', service, tree).allowed).toBe(
      true,
    );
    expect(decide(actor('provider_admin', 'NHSD'), 'service.capacity', service, tree).allowed).toBe(false);
    expect(decide(actor('dos_lead', 'Q35'), 'service.capacity', service, tree).allowed).toBe(true);
    expect(decide(actor('dos_lead', 'Q30'), 'service.capacity', service, tree).allowed).toBe(false);
  });

  it('lets call-handling staff plan any area’s capacity, a commissioner only its own areas’', () => {
    const bedfordshire = { areaCode: '5P2' };
    expect(decide(actor('health_adviser', 'NHSD'), 'capacity_plan.read', bedfordshire, tree).allowed).toBe(
      true,
    );
    expect(decide(actor('clinician', 'NHSD'), 'capacity_plan.read', bedfordshire, tree).allowed).toBe(true);
    expect(decide(actor('commissioner', '06F'), 'capacity_plan.read', bedfordshire, tree).allowed).toBe(true);
    expect(
      decide(actor('commissioner', '06F'), 'capacity_plan.read', { areaCode: '5GC' }, tree).allowed,
    ).toBe(false);
    expect(decide(actor('dos_lead', 'Q35'), 'capacity_plan.read', bedfordshire, tree).allowed).toBe(false);
  });
});
