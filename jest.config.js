/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/embedded-mongo/test'],
  // Tests run the engine package from its sources; `npm run build` compiles it for node.
  moduleNameMapper: { '^@cjpf/embedded-mongo$': '<rootDir>/packages/embedded-mongo/src/index.ts' },
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
  testTimeout: 30000,
  maxWorkers: 2,
};
