import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // A guard against a hang, not a measure of speed: on two shared cores a browser test can take a minute.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Each worker holds PGlite instances (~200–800 MB); two cores, so two workers.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
