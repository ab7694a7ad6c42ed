import { defineConfig } from 'vitest/config';

// One vitest config for every kind of test; e2e tests start their own hub and Chromium.
export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  test: {
    include: ['tests/{unit,integration,e2e}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
