import { type Permission, POLICY, type Reach } from './policy';
import { ROLES, type Role } from './roles';

/** Each permission in plain words, for the README's roles table (generated: see `rolesTable`). */
const WORDS: Record<Permission, string> = {
  'call.offer': 'offer calls to the queue',
  'call.read': 'see calls and their events',
  'call.record': 'record answered, abandoned, transferred and ended calls',
  'telephony.event':
    'report calls from the telephony switch (offered, answered, abandoned, transferred, ended)',
  'case.open': 'open cases',
  'case.read': 'read and replay cases',
  'case.change': 'record triage results and outcomes, close cases',
  'case.callback': 'make clinician call-backs',
  'clinical_queue.read': 'see the clinical queue',
  'pathway.read': 'read triage pathways',
  'triage_session.start': 'start triage sessions',
  'triage_session.read': 'read and replay triage sessions',
  'triage_session.answer': 'answer, go back in and finish triage sessions',
  'content.read': 'read pathway versions and their review',
  'content.author': 'write pathway drafts and send them for review',
  'content.review': 'sign off pathway versions (not their own)',
  'content.release': 'release and roll back pathway versions',
  'review.read': 'see the case review queue and its reviews',
  'review.score': 'replay and score cases in the review queue (not their own calls)',
  'review.rules': 'set the review rules and the random sample, and fill the review queue',
  'review.own': 'see the reviews of their own calls',
  'incident.report': 'report incidents',
  'incident.read': 'see incidents',
  'incident.manage': 'grade, investigate and close incidents',
  'governance_report.read': 'read the monthly governance report',
  'message.read': 'see outbound messages',
  'message.retry': 'send held messages again',
  'receiver.control': 'switch the demo receivers to fail, answer slowly or time out',
  'service.read': 'search and read the Directory of Services',
  'service.edit': 'edit Directory services',
  'service.capacity': 'set a service’s capacity',
  'type_rank.edit': 'set service-type ranks',
  'gap_report.read': 'read the Directory gap report',
  'plan.read': 'read rollout plans',
  'plan.edit': 'edit and submit rollout plans',
  'plan.approve': 'approve rollout plans',
  'deadline.apply': 'apply the submission deadline',
  'kpi.read': 'read the national KPIs',
  'capacity_plan.read': 'plan capacity',
  'reference.read': 'read geography, routing and coverage',
  'reference.import': 'load the ONS Postcode Directory',
  'user.admin': 'manage users and organisations',
};

const REACH: Record<Reach, string> = {
  any: '',
  provider: 'own provider’s',
  area: 'areas under its organisation',
  region: 'its SHA’s areas, or all nationally',
  ccg: 'areas its CCG covers',
  national: 'national only',
};

/** What each role may see and do, as the policy enforces it: one Markdown row per role. */
export function rolesTable(): string {
  const rows = ROLES.map((role: Role) => {
    const grants = (Object.keys(POLICY) as Permission[]).flatMap((p) => {
      const row: Partial<Record<Role, Reach>> = POLICY[p];
      const reach = row[role];
      if (!reach) return [];
      return [REACH[reach] ? `${WORDS[p]} (${REACH[reach]})` : WORDS[p]];
    });
    return `| \`${role}\` | ${grants.join('; ')} |`;
  });
  return ['| role | may (as `src/domain/auth/policy.ts` enforces it) |', '| --- | --- |', ...rows].join('\n');
}
