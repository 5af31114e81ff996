import type { WireMessage } from '../domain/messaging/index';
import type { Db, Tx } from './db';

export type ReceiverMode = 'normal' | 'fail' | 'slow' | 'timeout';

export interface ReceiverSwitch {
  readonly kind: string;
  readonly mode: ReceiverMode;
  /** How long a `slow` receiver takes to answer. */
  readonly delayMs: number;
  readonly updatedBy: string | null;
  readonly updatedAt: Date | null;
}

/** How the demo receiver of one kind of message behaves now; `normal` until someone flips it. */
export async function receiverSwitch(db: Db, kind: string): Promise<ReceiverSwitch> {
  const row = await db
    .selectFrom('demo_receiver_switch')
    .selectAll()
    .where('kind', '=', kind)
    .executeTakeFirst();
  return row
    ? { kind, mode: row.mode, delayMs: row.delay_ms, updatedBy: row.updated_by, updatedAt: row.updated_at }
    : { kind, mode: 'normal', delayMs: 0, updatedBy: null, updatedAt: null };
}

export async function setReceiverSwitch(
  db: Db | Tx,
  s: { kind: string; mode: ReceiverMode; delayMs: number; updatedBy: string; updatedAt: Date },
): Promise<void> {
  await db
    .insertInto('demo_receiver_switch')
    .values({
      kind: s.kind,
      mode: s.mode,
      delay_ms: s.delayMs,
      updated_by: s.updatedBy,
      updated_at: s.updatedAt,
    })
    .onConflict((oc) =>
      oc.column('kind').doUpdateSet({
        mode: s.mode,
        delay_ms: s.delayMs,
        updated_by: s.updatedBy,
        updated_at: s.updatedAt,
      }),
    )
    .execute();
}

/**
 * The demo receiver keeps a message once per idempotency key; a repeat is refused (not acted on again)
 * and counted. Returns whether this one was a repeat.
 */
export async function receive(db: Db, wire: WireMessage): Promise<{ duplicate: boolean }> {
  return keepOnce(db, {
    key: wire.body.idempotencyKey,
    kind: wire.body.kind,
    destination: wire.body.destination,
    payload: wire.body.payload,
  });
}

/**
 * A demo receiver keeps a BaRS message once per X-Request-ID (its key here); a repeat is counted and
 * refused. Returns whether this one was a repeat.
 */
export async function receiveBars(
  db: Db,
  m: { requestId: string; kind: string; destination: string; bundle: unknown },
): Promise<{ duplicate: boolean }> {
  return keepOnce(db, { key: m.requestId, kind: m.kind, destination: m.destination, payload: m.bundle });
}

async function keepOnce(
  db: Db,
  m: { key: string; kind: string; destination: string; payload: unknown },
): Promise<{ duplicate: boolean }> {
  const inserted = await db
    .insertInto('received_message')
    .values({
      idempotency_key: m.key,
      kind: m.kind,
      destination: m.destination,
      payload: JSON.stringify(m.payload),
    })
    .onConflict((oc) =>
      oc.column('idempotency_key').doUpdateSet((eb) => ({
        duplicates_refused: eb('received_message.duplicates_refused', '+', 1),
      })),
    )
    .returning('duplicates_refused')
    .executeTakeFirstOrThrow();
  return { duplicate: Number(inserted.duplicates_refused) > 0 };
}

export interface ReceiverTally {
  readonly kind: string;
  readonly received: number;
  readonly duplicatesRefused: number;
}

/** What each demo receiver holds, and how many repeats it refused. */
export async function receiverTallies(db: Db): Promise<ReceiverTally[]> {
  const rows = await db
    .selectFrom('received_message')
    .select((eb) => [
      'kind',
      eb.fn.countAll<number>().as('received'),
      eb.fn.sum<number>('duplicates_refused').as('refused'),
    ])
    .groupBy('kind')
    .orderBy('kind')
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    received: Number(r.received),
    duplicatesRefused: Number(r.refused ?? 0),
  }));
}

export async function receiverSwitches(db: Db): Promise<ReceiverSwitch[]> {
  const rows = await db.selectFrom('demo_receiver_switch').selectAll().orderBy('kind').execute();
  return rows.map((r) => ({
    kind: r.kind,
    mode: r.mode,
    delayMs: r.delay_ms,
    updatedBy: r.updated_by,
    updatedAt: r.updated_at,
  }));
}
