import { triageContent } from '../src/content/triage';
import {
  type AnswerValue,
  type GivenAnswer,
  type Pathway,
  type Question,
  step,
  type TriageContent,
} from '../src/domain/triage/index';

/** A way through the triage content to one disposition: the pathway, a patient it fits, the answers. */
export interface TriageRoute {
  readonly pathwayId: string;
  readonly patient: { readonly ageYears: number; readonly sex: 'female' | 'male' };
  readonly answers: readonly GivenAnswer[];
  readonly dispositionCode: string;
}

/** The values worth trying for a question: every answer, or one value in each numeric band. */
function candidates(content: TriageContent, q: Question): AnswerValue[] {
  if (q.type !== 'number') return [...q.answers.keys()];
  const finding = content.findings.get(q.finding);
  const min = finding?.kind === 'number' ? finding.min : 0;
  const max = finding?.kind === 'number' ? finding.max : 1000;
  return q.bands
    .map((b) => Math.max(b.from ?? min, min))
    .filter((v) => v <= max && q.bands.some((b) => b.below === null || v < b.below));
}

const patientFor = (p: Pathway) => ({
  ageYears: Math.min(Math.max(p.age.minYears, 40), p.age.maxYears - 1),
  sex: p.sex === 'male' ? ('male' as const) : ('female' as const),
});

const routes = new Map<string, TriageRoute>();

/**
 * The shortest answers, over all current pathways, that reach `dispositionCode` with the demonstration
 * content (breadth first through the engine itself). Throws when no pathway reaches it.
 */
export function routeTo(dispositionCode: string): TriageRoute {
  const known = routes.get(dispositionCode);
  if (known) return known;
  const content = triageContent();
  let best: TriageRoute | undefined;
  for (const pathway of content.current.values()) {
    if (pathway.kind !== 'pathway') continue;
    const input = {
      pathwayId: pathway.id,
      pathwayVersion: pathway.version,
      module0Version: content.module0.version,
    };
    let frontier: GivenAnswer[][] = [[]];
    while (frontier.length > 0) {
      const next: GivenAnswer[][] = [];
      for (const answers of frontier) {
        if (best && answers.length >= best.answers.length) continue;
        const r = step(content, { ...input, answers });
        if (r.kind === 'disposition') {
          if (r.disposition.code === dispositionCode)
            best = { pathwayId: pathway.id, patient: patientFor(pathway), answers, dispositionCode };
          continue;
        }
        for (const value of candidates(content, r.question))
          next.push([...answers, { pathwayId: r.pathwayId, questionId: r.question.id, value }]);
      }
      frontier = next;
    }
  }
  if (!best) throw new Error(`No pathway of the demonstration content reaches ${dispositionCode}.`);
  routes.set(dispositionCode, best);
  return best;
}

/** Posts JSON and returns the parsed answer; throws on anything but 2xx. */
export type PostJson = (url: string, body: Record<string, unknown>) => Promise<unknown>;

const idOf = (v: unknown): string => {
  if (typeof v === 'object' && v !== null && 'id' in v && typeof v.id === 'string') return v.id;
  throw new Error(`expected a triage session, got ${JSON.stringify(v)}`);
};

/** Starts a triage session through the API and gives the first `count` answers of the route (all by default). */
export async function startTriage(post: PostJson, route: TriageRoute, count = route.answers.length) {
  const id = idOf(await post('/api/triage/sessions', { pathwayId: route.pathwayId, patient: route.patient }));
  for (const a of route.answers.slice(0, count)) await post(`/api/triage/sessions/${id}/answers`, { ...a });
  return id;
}

/** Runs a real triage through the API to `dispositionCode` and finishes it; returns the session id. */
export async function finishedTriage(post: PostJson, dispositionCode: string): Promise<string> {
  const id = await startTriage(post, routeTo(dispositionCode));
  await post(`/api/triage/sessions/${id}/finish`, {});
  return id;
}
