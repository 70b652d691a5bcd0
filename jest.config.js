/**
 * The tiers of the test suite, each a jest project (`npm test` runs them all, as CI does):
 * unit and simulation (no AWS emulator, seconds), infra (the synthesised template), integration
 * (moto and the fake IA and Slack servers: one moto_server for the tier), package (the packed
 * tarball installed in an empty app), grants (the integration tier's recorded AWS calls against the
 * synthesised roles; run after it). ESM throughout.
 */
export const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^#lib/(.*)\\.js$': '<rootDir>/functions/lib/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

export default {
  testTimeout: 30000,
  // Jest's default leaves a core to its parent (one worker on a 2-core machine), but the longest
  // suites wait on child processes of their own (npm and jsii in the package tier, moto_server in
  // the integration tier): a worker per core keeps both cores busy and the whole run near 5 min.
  maxWorkers: '100%',
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit', '<rootDir>/test/sim'] },
    { ...shared, displayName: 'infra', roots: ['<rootDir>/test/infra'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      // Only this tier starts moto_server, and only when one of its tests runs.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    { ...shared, displayName: 'package', roots: ['<rootDir>/test/package'] },
    // Reads what the integration tier recorded: run after it (npm test does), never alongside.
    { ...shared, displayName: 'grants', roots: ['<rootDir>/test/grants'] },
  ],
};
