import { conflict } from '../errors';

/** NHS patient-safety incident grading, by the harm the patient came to. */
export const INCIDENT_GRADES = ['no_harm', 'low', 'moderate', 'severe', 'death'] as const;
export type IncidentGrade = (typeof INCIDENT_GRADES)[number];

export const GRADE_WORDS: Record<IncidentGrade, string> = {
  no_harm: 'no harm',
  low: 'low harm',
  moderate: 'moderate harm',
  severe: 'severe harm',
  death: 'death',
};

export type IncidentStatus = 'reported' | 'investigating' | 'closed';
export type ActionStatus = 'open' | 'done' | 'waived';

interface IncidentState {
  readonly id: number;
  readonly status: IncidentStatus;
  readonly grade: IncidentGrade | null;
}

const mustBeOpen = (i: IncidentState, step: string) => {
  if (i.status === 'closed') throw conflict(`Incident ${i.id} is closed; it cannot be ${step}.`);
};

/** Grading (or re-grading) an incident starts its investigation. */
export function decideGrade(i: IncidentState): IncidentStatus {
  mustBeOpen(i, 'graded');
  return 'investigating';
}

/** An action, a link: only on an incident not closed. */
export function decideChange(i: IncidentState, step: string): void {
  mustBeOpen(i, step);
}

/** Finishing an action: done, or waived with a reason; only an open action. */
export function decideFinishAction(
  i: IncidentState,
  action: { readonly id: number; readonly status: ActionStatus },
  to: 'done' | 'waived',
): void {
  mustBeOpen(i, 'changed');
  if (action.status !== 'open')
    throw conflict(
      `Action ${action.id} is already ${action.status}; only an open action can be ${to === 'done' ? 'marked done' : 'waived'}.`,
    );
}

/** Closing: graded, with every action done or explicitly waived. */
export function decideClose(i: IncidentState, actions: readonly { readonly status: ActionStatus }[]): void {
  mustBeOpen(i, 'closed again');
  if (!i.grade) throw conflict(`Incident ${i.id} has not been graded; grade it before closing it.`);
  const open = actions.filter((a) => a.status === 'open').length;
  if (open > 0)
    throw conflict(
      `Incident ${i.id} has ${open} open action${open === 1 ? '' : 's'}; mark ${open === 1 ? 'it' : 'them'} done or waive ${open === 1 ? 'it' : 'them'} before closing.`,
    );
}
