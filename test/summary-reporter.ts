import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, `tests: N passed, N failed, N skipped`, that any CI can read,
 * and a line per engine so the log shows the suite ran on PGlite, PostgreSQL and in Chromium.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const perEngine = { pglite: 0, postgres: 0, chromium: 0 };
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
        if (state !== 'passed') continue;
        if (t.fullName.includes('[pglite]')) perEngine.pglite++;
        if (t.fullName.includes('[postgres]')) perEngine.postgres++;
        if (m.moduleId.includes('/web/e2e/')) perEngine.chromium++;
      }
    }
    process.stdout.write(
      `\nengines: ${perEngine.pglite} tests passed on PGlite, ${perEngine.postgres} on PostgreSQL, ${perEngine.chromium} in Chromium\n`,
    );
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
