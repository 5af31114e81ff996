import { readRolloutContent } from '../content/rollout';
import {
  buildRoutingTable,
  type Provider,
  providerCatalogue,
  type RolloutArea,
  type RolloutCalendar,
  type RolloutPlan,
  type RoutingTable,
  rolloutAreas,
} from '../domain/commissioning/index';
import type { Geography } from '../domain/geography/index';
import { ccgsByArea, loadPlans } from './commissioning';
import type { Db } from './db';

/** Everything routing and the rollout screens need, in memory; rebuilt from the store when a plan changes. */
export interface RolloutState {
  readonly calendar: RolloutCalendar;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly areas: readonly RolloutArea[];
  readonly plans: ReadonlyMap<string, RolloutPlan>;
  readonly ccgs: ReadonlyMap<string, readonly string[]>;
  /** Each area's routing timeline, precomputed: a call is routed with a map look-up. */
  readonly table: RoutingTable;
}

export async function loadRolloutState(db: Db, geo: Geography): Promise<RolloutState> {
  const content = readRolloutContent();
  const providers = providerCatalogue(content.providers, geo);
  const areas = rolloutAreas(geo, content.calendar, {
    byRegion: content.outOfHoursByRegion,
    byArea: content.outOfHoursByArea,
  });
  const [plans, ccgs] = await Promise.all([loadPlans(db), ccgsByArea(db)]);
  return {
    calendar: content.calendar,
    providers,
    areas,
    plans,
    ccgs,
    table: buildRoutingTable(areas, plans, content.calendar, providers),
  };
}
