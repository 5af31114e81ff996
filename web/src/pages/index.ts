import type { ComponentType } from 'react';
import type { Me } from '../api';
import { Calls } from './Calls';
import { ClinicalQueue } from './ClinicalQueue';
import { Directory } from './Directory';
import { Geography } from './Geography';
import { Governance } from './Governance';
import { Incidents } from './Incidents';
import { Outbox } from './Outbox';
import { Reports } from './Reports';
import { Review } from './Review';
import { Rollout } from './Rollout';
import { Triage } from './Triage';
import { Wallboard } from './Wallboard';
import { Workspace } from './Workspace';

export interface Screen {
  readonly id: string;
  readonly title: string;
  /** What the screen is for, in a sentence. */
  readonly purpose: string;
  /** Absent while the module behind the screen is not built yet. */
  readonly Component?: ComponentType<{ me: Me }>;
}

/** The console's screens, in the order an adviser's shift meets them. Each module adds its page here. */
export const SCREENS: readonly [Screen, ...Screen[]] = [
  {
    id: 'workspace',
    title: 'Workspace',
    purpose: 'One call from answer to outcome: caller, patient, triage, the Directory, refer or dispatch.',
    Component: Workspace,
  },
  {
    id: 'calls',
    title: 'Calls',
    purpose: 'The call queue: offered, answered, abandoned and transferred calls.',
    Component: Calls,
  },
  {
    id: 'wallboard',
    title: 'Wallboard',
    purpose: 'The live queue for the floor: waiting, longest wait, advisers free, the 60-second line.',
    Component: Wallboard,
  },
  {
    id: 'triage',
    title: 'Triage',
    purpose: 'Symptom search, one question at a time, and the disposition.',
    Component: Triage,
  },
  {
    id: 'directory',
    title: 'Directory',
    purpose: 'Services open now that accept the disposition, ranked, on a map.',
    Component: Directory,
  },
  {
    id: 'clinical-queue',
    title: 'Clinical queue',
    purpose: 'Warm transfers and call-backs by due time.',
    Component: ClinicalQueue,
  },
  {
    id: 'rollout',
    title: 'Rollout',
    purpose: 'Area plans, approvals, the deadline opt-in and coverage.',
    Component: Rollout,
  },
  {
    id: 'reports',
    title: 'Reports',
    purpose: 'National KPIs, dashboards and capacity planning.',
    Component: Reports,
  },
  {
    id: 'governance',
    title: 'Governance',
    purpose: 'Pathway change control: drafts, the review diff, sign-off, release and rollback.',
    Component: Governance,
  },
  {
    id: 'review',
    title: 'Review',
    purpose: 'Case review: the queue the rules and the sample fill, the replay, the score; my reviews.',
    Component: Review,
  },
  {
    id: 'incidents',
    title: 'Incidents',
    purpose: 'Report an incident; grade, investigate with actions and owners, link and close it.',
    Component: Incidents,
  },
  {
    id: 'outbox',
    title: 'Outbox',
    purpose: 'Messages to other systems by receiver and status, their delivery history and alerts.',
    Component: Outbox,
  },
  {
    id: 'geography',
    title: 'Geography',
    purpose: 'Postcode look-up and the map of areas.',
    Component: Geography,
  },
];

export type ScreenId = string;
