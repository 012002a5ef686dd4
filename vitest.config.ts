import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      // Every unit test runs with the process in UTC, and the ones about UK time run again with it
      // in London, so no rule leans on the zone of the server it happens to run on.
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          env: { TZ: 'UTC' },
        },
      },
      {
        test: {
          name: 'unit-london',
          include: ['test/unit/calendar/**/*.test.ts', 'test/unit/scheduling/**/*.test.ts', 'test/unit/http/**/*.test.ts'],
          env: { TZ: 'Europe/London' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 90_000,
          maxWorkers: 2,
        },
      },
    ],
  },
})
