import { readFileSync } from 'node:fs';
import { contentPath } from '../src/content/files';

/**
 * Changed versions of the shipped sore-throat pathway (demonstration content), as a clinical author would
 * write them, for the change-control tests: the YAML text only, numbered and stamped by change control.
 */
export const SORE_THROAT_YAML = readFileSync(contentPath('pathways/sore-throat.yaml'), 'utf8');

/**
 * Two clinical changes: a weakened immune system now needs a GP within the hour-band urgency of Dx05
 * (was Dx14), and a sore throat of five days (was seven) already needs a GP appointment.
 */
export const SORE_THROAT_CHANGED = SORE_THROAT_YAML.replace(
  'yes: { dx: Dx14, report: Sore throat with weakened immune system }',
  'yes: { dx: Dx05, report: Sore throat with weakened immune system }',
)
  .replace('below: 7,', 'below: 5,')
  .replace('{ from: 7, dx: Dx75', '{ from: 5, dx: Dx75');

/** An unsafe change: the first red flag (cannot swallow saliva) leads nowhere. */
export const SORE_THROAT_DEAD_END = SORE_THROAT_YAML.replace(
  'yes: { dx: Dx02, sd: SD4052, report: Sore throat, cannot swallow saliva }',
  'yes: { next: nowhere }',
);
