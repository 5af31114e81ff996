import { readdirSync, readFileSync } from 'node:fs';
import { contentPath } from './files';

/** The planning scenarios shipped in content/scenarios, by file name without `.yaml`. */
export function shippedScenarioTexts(): Map<string, string> {
  const dir = contentPath('scenarios');
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => [f.replace(/\.yaml$/, ''), readFileSync(`${dir}/${f}`, 'utf8')]),
  );
}
