import { readFileSync } from 'node:fs';
import { contentPath } from '../src/content/files';
import { shippedPathwayFiles } from '../src/content/triage';

/** The newest shipped version of the sore-throat pathway: its number and file (the one in force). */
export const SORE_THROAT_SHIPPED = (() => {
  let best = { version: 0, file: '' };
  for (const f of shippedPathwayFiles()) {
    const m = /^sore-throat(?:\.v(\d+))?\.yaml$/.exec(f.file);
    if (!m) continue;
    const version = Number(m[1] ?? 1);
    if (version > best.version) best = { version, file: f.file };
  }
  return best;
})();

/**
 * Changed versions of the shipped sore-throat pathway (demonstration content), as a clinical author would
 * write them, for the change-control tests: the YAML text only, numbered and stamped by change control.
 */
export const SORE_THROAT_YAML = readFileSync(contentPath(`pathways/${SORE_THROAT_SHIPPED.file}`), 'utf8');

const must = (text: string, find: string, put: string): string => {
  if (!text.includes(find)) throw new Error(`the sore-throat fixture no longer contains ${find}`);
  return text.replace(find, put);
};

/**
 * Two clinical changes: a weakened immune system now needs a GP within the hour-band urgency of Dx05
 * (was Dx14), and a sore throat of five days (was seven) already needs a GP appointment.
 */
export const SORE_THROAT_CHANGED = must(
  must(
    must(
      SORE_THROAT_YAML,
      'yes: { dx: Dx14, report: "Sore throat with weakened immune system" }',
      'yes: { dx: Dx05, report: "Sore throat with weakened immune system" }',
    ),
    'below: 7,',
    'below: 5,',
  ),
  '{ from: 7, dx: Dx75',
  '{ from: 5, dx: Dx75',
);

/** An unsafe change: the first red flag (cannot swallow saliva) leads nowhere. */
export const SORE_THROAT_DEAD_END = must(
  SORE_THROAT_YAML,
  'yes: { dx: Dx02, sd: SD4052, report: "Sore throat, cannot swallow saliva" }',
  'yes: { next: nowhere }',
);
