/** @type {import('jest').Config} */
module.exports = {
  // onnxruntime's native typed arrays must pass instanceof checks inside jest's sandbox.
  testEnvironment: '<rootDir>/packages/engine/jest-environment.js',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/loadtest', '<rootDir>/tests'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^@thoughtspace/([a-z-]+)$': ['<rootDir>/packages/$1/src', '<rootDir>/services/$1/src'],
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  // Two workers on the 2-core CI machine: most cross-service suites wait on
  // child processes and sockets, so running two at once roughly halves the
  // wall time (CI must stay under 20 minutes).
  maxWorkers: 2,
};
