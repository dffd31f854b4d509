import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (pure, beside the code, no servers), `integration` (test/, real Kafka, registry,
 * MongoDB-protocol store and the Dataverse simulator, resolved once by test/global-setup.ts) and `faults`
 * (test/faults/, the fault-injection suite on its own stack; run with `--project faults`).
 */
/** The fault suite kills and restarts servers: it runs only when asked for by name (`vitest run --project faults`). */
const faultsRequested = process.argv.some((a, i) => a === '--project=faults' || (a === '--project' && process.argv[i + 1] === 'faults'));

export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['services/**/*.test.ts', 'infra/**/*.test.ts', 'bench/**/*.test.ts', 'harness/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**', '**/node_modules/**'],
          environment: 'node',
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      ...(faultsRequested ? [{
        // kills and restarts its own servers (test/faults/README.md)
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/faults/fault-global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      }] : []),
    ],
  },
});
