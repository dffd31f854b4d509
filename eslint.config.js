// Lint = layering rules of architecture.md §7, enforced on every TypeScript file:
//  - services/*/core/** is pure: no node:* modules, no I/O clients, no clock, no environment;
//  - a service imports only services/contracts, services/shared and services/dataverse, never another service;
//  - services/contracts (topic names, ids, commands, control messages, state and stored documents) imports nothing
//    else, and no other service file re-spells a topic name or a `_sync` field;
//  - only a service's config.ts (and infra/bench/test scripts) reads process.env.
import tseslint from 'typescript-eslint';

const services = ['coordinator', 'extractor', 'loader', 'cli', 'simulator'];
const ioModules = ['kafkajs', 'mongodb', 'undici', 'pino', '@azure/msal-node', '@kafkajs/confluent-schema-registry', 'prom-client'];

/** Contract names spelled outside services/contracts (topic names, table topics, `_sync` fields). */
const contractSpelling = [
  { selector: 'Literal[value=/^sync\\.(tasks|coordinator|commands|dlq)$/]', message: 'A topic name is a contract: import it from services/contracts/topic-names.ts.' },
  { selector: 'Literal[value=/^dynamics\\./], TemplateElement[value.raw=/^dynamics\\./]', message: 'Table topics are named by services/contracts/topic-names.ts (tableTopic, connectionTopicPrefix).' },
  { selector: 'Literal[value=/^_sync\\./]', message: "The stored document's _sync fields are services/contracts/stored-document.ts SYNC." },
];

/** Test, benchmark and infrastructure code: services never import it. */
const testAndTools = ['**/test/*', '**/bench/*', '**/infra/*', '**/harness/*'];

const otherServices = (self) =>
  services.filter((s) => s !== self).flatMap((s) => [`../${s}/*`, `../../${s}/*`, `../../../${s}/*`, `**/services/${s}/*`]);

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench-results/**', 'coverage/**', 'dist/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only config.ts reads process.env (architecture.md §7).' },
      ],
    },
  },
  {
    files: ['**/config.ts', 'infra/**', 'harness/**', 'test/**', 'bench/**', 'vitest.config.ts', 'services/shared/lifecycle.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...services.map((svc) => ({
    files: [`services/${svc}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: otherServices(svc), message: `services/${svc} may import only services/contracts, services/shared and services/dataverse.` },
            { group: testAndTools, message: 'services never import test, benchmark or infrastructure code.' },
          ],
        },
      ],
    },
  })),
  {
    // the contracts between services are defined once, in services/contracts: their names are never re-spelled
    files: ['services/**/*.ts'],
    ignores: ['services/contracts/**', 'services/**/*.test.ts', 'services/**/*.fixture.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...contractSpelling],
    },
  },
  {
    files: ['services/contracts/**/*.ts'],
    ignores: ['services/contracts/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...services.flatMap((s) => [`../${s}/*`, `../../${s}/*`]), '../dataverse/*', '../shared/*', '!../shared/errors.ts'], message: 'contracts depend on nothing but each other, shared/errors.ts and zod.' },
            { group: ioModules, message: 'contracts are pure: no I/O clients.' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/shared/**/*.ts', 'services/dataverse/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: services.flatMap((s) => [`../${s}/*`, `../../${s}/*`]), message: 'shared libraries must not depend on a service.' },
            { group: testAndTools, message: 'services never import test, benchmark or infrastructure code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'harness/**/*.ts', 'infra/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/test/*'], message: 'test code is imported by tests only: shared helpers live in harness/.' }] }],
    },
  },
  {
    files: ['services/*/core/**/*.ts'],
    ignores: ['services/*/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'core/ is pure: no Node built-ins (I/O).' },
            { group: ioModules, message: 'core/ is pure: no I/O clients.' },
            { group: ['**/shared/log*', '**/shared/kafka*', '**/shared/registry*', '**/shared/lifecycle*', '**/shared/config*', '**/shared/dlq*', '../*.ts'], message: 'core/ imports only other core modules and shared pure modules (errors, clock types).' },
          ],
          paths: ['fs', 'http', 'https', 'net', 'child_process', 'crypto', 'os'],
        },
      ],
      'no-restricted-syntax': [
        'error',
        ...contractSpelling,
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'core/ has no clock: take the time as an argument.' },
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'core/ has no clock: take the time as an argument.' },
        { selector: "MemberExpression[object.name='process']", message: 'core/ reads no environment or process state.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'core/ is deterministic: take randomness as an argument.' },
      ],
    },
  },
);
