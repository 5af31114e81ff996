import type { Actor, OrganisationTree } from '../domain/auth/index';
import {
  type Decision,
  decide,
  type ListScope,
  NATIONAL_ORGANISATION,
  type Permission,
  type RecordRef,
  scopeOf,
} from '../domain/auth/index';
import { conflict, DomainError } from '../domain/errors';
import type { OutboundMessage } from '../domain/messaging/index';
import { type AuditAction, type AuditEntry, audit, auditWrite } from '../store/audit';
import { type Db, inTransaction, type Tx } from '../store/db';
import { enqueue } from '../store/outbox';
import { type Write, writeTogether } from '../store/writes';
import type { ServiceContext } from './context';
import { claimIdempotencyKey, completeIdempotencyKey, type Idempotent } from './idempotency';

/** Who is asking, and through which request: what every use case is given beside its input. */
export interface Caller {
  readonly actor: Actor;
  /** The HTTP request id, or the CLI run's: written on every audit row the use case leaves. */
  readonly requestId: string | null;
}

/**
 * The caller for a command run on the server itself (the CLI): the system administrator at the
 * Department of Health, named after what it does so the audit trail says which command wrote a row.
 */
export function systemCaller(purpose: string): Caller {
  return {
    actor: {
      userId: 0,
      username: `cli:${purpose}`,
      displayName: `open111 ${purpose}`,
      role: 'system_admin',
      organisationCode: NATIONAL_ORGANISATION,
    },
    requestId: null,
  };
}

/** The record a use case touches, as the audit trail names it. */
export interface ResourceRef {
  readonly type: string;
  readonly id?: string | null;
}

/**
 * A refusal by the access policy. It carries its audit entry: the row is written after the transaction
 * it was raised in has rolled back, so the denial is on the trail even though nothing else is.
 */
class AccessDenied extends DomainError {
  readonly permission: Permission;
  readonly resource: ResourceRef;
  readonly reason: string;

  constructor(
    decision: Extract<Decision, { allowed: false }>,
    permission: Permission,
    resource: ResourceRef,
  ) {
    const id = resource.id ?? '';
    const message = decision.hide
      ? `There is no ${resource.type.replaceAll('_', ' ')}${id ? ` ${id}` : ''}.`
      : decision.reason;
    super(decision.hide ? 'not_found' : 'forbidden', message);
    this.permission = permission;
    this.resource = resource;
    this.reason = decision.reason;
  }
}

async function auditDenial(ctx: ServiceContext, caller: Caller, denied: AccessDenied): Promise<void> {
  await audit(ctx.store.db, {
    actor: caller.actor,
    action: 'denied',
    resourceType: denied.resource.type,
    resourceId: denied.resource.id ?? null,
    requestId: caller.requestId,
    detail: { permission: denied.permission, reason: denied.reason },
  });
}

/** Asks the policy; a refusal is audited and thrown (403, or 404 where saying 403 would tell it exists). */
export async function authorize(
  ctx: ServiceContext,
  caller: Caller,
  permission: Permission,
  record: RecordRef,
  resource: ResourceRef,
): Promise<void> {
  const decision = decide(caller.actor, permission, record, await ctx.organisations());
  if (decision.allowed) return;
  const denied = new AccessDenied(decision, permission, resource);
  await auditDenial(ctx, caller, denied);
  throw denied;
}

/** The scope a list is filtered by; a role with no such permission is refused (and audited). */
export async function listScope(
  ctx: ServiceContext,
  caller: Caller,
  permission: Permission,
  resource: ResourceRef,
): Promise<ListScope> {
  const scope = scopeOf(caller.actor, permission, await ctx.organisations());
  if ('kind' in scope) return scope;
  const denied = new AccessDenied(scope, permission, resource);
  await auditDenial(ctx, caller, denied);
  throw denied;
}

/** One audit row of a use case: who (the caller), through which request, did what to which record. */
export function auditEntry(
  caller: Caller,
  action: AuditAction,
  resource: ResourceRef,
  detail?: Record<string, unknown>,
): AuditEntry {
  return {
    actor: caller.actor,
    action,
    resourceType: resource.type,
    resourceId: resource.id ?? null,
    requestId: caller.requestId,
    ...(detail ? { detail } : {}),
  };
}

/** What every use case decides with: the policy, its writes and its audit rows, sent at its end. */
export interface Decisions {
  /** The instant the use case runs at: one clock reading for every row it writes. */
  readonly now: Date;
  readonly caller: Caller;
  /** Asks the policy about a record just loaded (in a transaction, locked: it cannot change meanwhile). */
  allow(permission: Permission, record: RecordRef, resource: ResourceRef): Promise<void>;
  /**
   * Writes no later step of the use case reads back: sent at its end with its audit rows, in one
   * statement (writes.ts), rather than one round trip each.
   */
  later(...writes: readonly Write[]): void;
  /** An audit row, committed with the change (every row of the use case goes in one statement at its end). */
  audit(action: AuditAction, resource: ResourceRef, detail?: Record<string, unknown>): Promise<void>;
  /** One audit row per record (e.g. each patient record a list shows). */
  auditEach(
    action: AuditAction,
    resources: readonly ResourceRef[],
    detail?: Record<string, unknown>,
  ): Promise<void>;
}

/** What a use case works with inside its transaction. */
export interface UnitOfWork extends Decisions {
  readonly tx: Tx;
  /** An outbound message, committed with the change that causes it, or not at all. */
  enqueue(message: OutboundMessage): Promise<void>;
}

/** A use case's decisions, and the one statement that writes them with its audit trail at its end. */
function decisions(
  caller: Caller,
  now: Date,
  tree: OrganisationTree,
): { readonly unit: Decisions; write(db: Db | Tx): Promise<void> } {
  const trail: AuditEntry[] = [];
  const writes: Write[] = [];
  return {
    unit: {
      now,
      caller,
      async allow(permission, record, resource) {
        const decision = decide(caller.actor, permission, record, tree);
        if (!decision.allowed) throw new AccessDenied(decision, permission, resource);
      },
      later(...w) {
        writes.push(...w);
      },
      async audit(action, resource, detail) {
        trail.push(auditEntry(caller, action, resource, detail));
      },
      async auditEach(action, resources, detail) {
        for (const r of resources) trail.push(auditEntry(caller, action, r, detail));
      },
    },
    // The use case's writes and its whole audit trail (in the order it was written) in one statement.
    write: (db) => writeTogether(db, trail.length > 0 ? [...writes, auditWrite(db, trail)] : writes),
  };
}

/**
 * Runs one use case: load → decide (pure domain) → append → enqueue → audit, all in one transaction.
 * A refusal by the policy rolls the work back and is then audited on its own. With `idem` (a client's
 * Idempotency-Key) the key is claimed first and the response stored last, in the same transaction: a
 * retry is answered from the first response (IdempotentReplay) and can never do the work twice.
 */
export async function inUseCase<T>(
  ctx: ServiceContext,
  caller: Caller,
  work: (unit: UnitOfWork) => Promise<T>,
  idem?: Idempotent<T>,
): Promise<T> {
  const now = ctx.now();
  const tree = await ctx.organisations();
  try {
    return await inTransaction(ctx.store.db, async (tx) => {
      const made = decisions(caller, now, tree);
      if (idem) await claimIdempotencyKey(tx, caller.actor.userId, idem, now);
      const result = await work({ ...made.unit, tx, enqueue: (message) => enqueue(tx, message, now) });
      await made.write(tx);
      if (idem) await completeIdempotencyKey(tx, caller.actor.userId, idem, result);
      return result;
    });
  } catch (err) {
    if (err instanceof AccessDenied) await auditDenial(ctx, caller, err);
    throw err;
  }
}

/**
 * A use case that locks nothing and writes only what it decides, with its audit rows: that is one
 * statement, which PostgreSQL makes atomic by itself, so it runs without a transaction (BEGIN and
 * COMMIT were two of its three round trips). What it reads, it reads unlocked: fit for a read (audited)
 * or a new record, not for a change decided on a row another request may be changing. A refusal by
 * the policy writes nothing and is audited.
 */
export async function inOneStatement<T>(
  ctx: ServiceContext,
  caller: Caller,
  work: (unit: Decisions & { readonly db: Db }) => Promise<T>,
): Promise<T> {
  const made = decisions(caller, ctx.now(), await ctx.organisations());
  try {
    const result = await work({ ...made.unit, db: ctx.store.db });
    await made.write(ctx.store.db);
    return result;
  } catch (err) {
    if (err instanceof AccessDenied) await auditDenial(ctx, caller, err);
    throw err;
  }
}

/**
 * How many times a change decided without a lock (a triage answer, a case change, a call event) is
 * decided anew when other changes keep getting in first, before it is refused.
 */
export const DECIDE_ATTEMPTS = 3;

/** The refusal when other changes got in first every time: nothing was written, and trying again is safe. */
export function keptChanging(record: string): DomainError {
  return conflict(`${record} kept changing while this was saved; nothing was saved. Try again.`);
}
