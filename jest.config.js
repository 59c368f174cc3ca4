/** Unit and integration tests. Type checking runs once in `npm test` (tsc --noEmit), so ts-jest only transpiles. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The shared runtime (layers/shared/src) is imported as @shared/…, never by ../../.. chains.
  moduleNameMapper: { '^@shared/(.*)$': '<rootDir>/layers/shared/src/$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testTimeout: 120000,
};
