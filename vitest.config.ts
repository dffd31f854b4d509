import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure, beside the code, no servers) and `integration` (test/, real Kafka, registry,
 * MongoDB-protocol store and the Dataverse simulator, resolved once by test/global-setup.ts).
 */
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'infra/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
