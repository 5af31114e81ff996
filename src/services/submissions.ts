import { buildSubmission, type ShaSubmission } from '../domain/commissioning/index';
import { notFound } from '../domain/errors';
import { insertSubmission, lastSubmission } from '../store/submissions';
import type { ServiceContext } from './context';
import { authorize, type Caller, inUseCase } from './use-case';

const RESOURCE = 'sha_submission';

async function regionOf(ctx: ServiceContext, code: string) {
  const region = (await ctx.geography()).regions.get(code.toUpperCase());
  if (!region) throw notFound(`There is no SHA with code "${code}".`);
  return region;
}

async function document(
  ctx: ServiceContext,
  regionCode: string,
  regionName: string,
  sent: { at: string; by: string } | null,
) {
  const state = await ctx.rollout();
  return buildSubmission({
    regionCode,
    regionName,
    areas: state.areas,
    plans: state.plans,
    providers: state.providers,
    calendar: state.calendar,
    sent,
  });
}

/**
 * The SHA's submission to the Department of Health as it stands: every area's go-live date, operating
 * model, providers and CCG approval, the geographic rollout, what is outstanding, and whether it has
 * been sent. Read by whoever may read plans (`plan.read`, on one of the SHA's areas).
 */
export async function readSubmission(
  ctx: ServiceContext,
  caller: Caller,
  region: string,
): Promise<ShaSubmission> {
  const r = await regionOf(ctx, region);
  const state = await ctx.rollout();
  const anArea = state.areas.find((a) => a.regionCode === r.code);
  await authorize(
    ctx,
    caller,
    'plan.read',
    { areaCode: anArea?.code ?? null },
    { type: RESOURCE, id: r.code },
  );
  return document(ctx, r.code, r.name, await lastSubmission(ctx.store.db, r.code));
}

/**
 * Sends the submission: keeps the document as it stands now, with who sent it and when (after the
 * deadline it is recorded as late). The SHA sends it (`submission.send`, region reach; the national
 * commissioner's reach covers every region).
 */
export async function sendSubmission(
  ctx: ServiceContext,
  caller: Caller,
  region: string,
): Promise<ShaSubmission> {
  const r = await regionOf(ctx, region);
  const state = await ctx.rollout();
  const anArea = state.areas.find((a) => a.regionCode === r.code);
  return inUseCase(ctx, caller, async (u) => {
    await u.allow('submission.send', { areaCode: anArea?.code ?? null }, { type: RESOURCE, id: r.code });
    const sent = { at: u.now.toISOString(), by: caller.actor.username };
    const doc = await document(ctx, r.code, r.name, sent);
    await insertSubmission(u.tx, { regionCode: r.code, sentAt: u.now, sentBy: sent.by, document: doc });
    await u.audit(
      'create',
      { type: RESOURCE, id: r.code },
      { status: doc.status, outstanding: doc.outstanding.length },
    );
    return doc;
  });
}
