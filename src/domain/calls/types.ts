/** What can happen to a call, in the order the national data set measures it. */
export type CallEventKind = 'offered' | 'answered' | 'abandoned' | 'transferred' | 'ended';

export interface CallEvent {
  readonly callId: string;
  readonly kind: CallEventKind;
  readonly at: Date;
}

export type CallStatus = 'queued' | 'answered' | 'abandoned' | 'transferred' | 'ended';

/** A call as its events tell it: every timestamp a KPI is measured from. */
export interface Call {
  readonly id: string;
  readonly status: CallStatus;
  readonly offeredAt: Date;
  readonly answeredAt: Date | null;
  readonly abandonedAt: Date | null;
  /** Warm transfer to a clinician. */
  readonly transferredAt: Date | null;
  readonly endedAt: Date | null;
}
