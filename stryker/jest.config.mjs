// @ts-check
/**
 * The jest config of `npm run mutate`: the unit tier alone, as one project. Stryker merges its
 * `jest.config` over a config file's top level, so over jest.config.js the five projects (their
 * own roots, type-checking transform, and the integration tier's moto_server in globalSetup)
 * still ran for every mutant.
 */
import { shared } from '../jest.config.js';

export default {
  ...shared,
  rootDir: '..',
  // The sources are roots too: jest's --findRelatedTests follows imports only through files it
  // has crawled.
  roots: ['<rootDir>/test/unit', '<rootDir>/test/support', '<rootDir>/functions', '<rootDir>/local', '<rootDir>/sim'],
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  // Tests that drive the code over real HTTP servers, moto or the packaged CLI cost seconds a run,
  // times 1,700 mutants. The decision core has unit tests of its own; npm test runs these.
  testPathIgnorePatterns: [
    '/node_modules/',
    'test/unit/(cli|ia-client|fake-ia-server|fake-slack-server|moto)\\.test\\.ts$',
  ],
  testTimeout: 30_000,
  // Transpiled, not type-checked: a mutant is not meant to type-check.
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', isolatedModules: true }] },
};
