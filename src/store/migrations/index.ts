import type { Migration } from 'kysely';
import * as foundation from './0001_foundation';
import * as commissioning from './0002_commissioning';
import * as triage from './0003_triage';
import * as directory from './0004_directory';
import * as calls from './0005_calls';
import * as outbox from './0006_outbox';
import * as cases from './0007_cases';
import * as outboxProvider from './0008_outbox_provider';
import * as users from './0009_users';
import * as delivery from './0010_delivery';
import * as sessions from './0011_sessions';
import * as governance from './0012_governance';
import * as idempotency from './0013_idempotency';
import * as validation from './0014_validation';
import * as review from './0015_review';
import * as callFlow from './0016_call_flow';
import * as reporting from './0018_reporting';
import * as gapCounts from './0019_dos_gap_counts';
import * as callQueue from './0020_call_queue';
import * as triageLastSeq from './0021_triage_last_seq';

/**
 * Every migration, by name; Kysely runs them in name order. A module adds its own file
 * (`NNNN_module.ts`) and one line here. Migrations are never edited once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0005_calls': calls,
  '0006_outbox': outbox,
  '0002_commissioning': commissioning,
  '0003_triage': triage,
  '0004_directory': directory,
  '0007_cases': cases,
  '0008_outbox_provider': outboxProvider,
  '0009_users': users,
  '0012_governance': governance,
  '0010_delivery': delivery,
  '0016_call_flow': callFlow,
  '0011_sessions': sessions,
  '0015_review': review,
  '0013_idempotency': idempotency,
  '0018_reporting': reporting,
  '0014_validation': validation,
  '0019_dos_gap_counts': gapCounts,
  '0020_call_queue': callQueue,
  '0021_triage_last_seq': triageLastSeq,
};
