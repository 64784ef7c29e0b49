// Shared Jest settings: TypeScript through @swc/jest (types are checked by the `typecheck` target),
// tests under test/ mirroring src/. Projects spread this into their own jest.config.cjs.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Sources import siblings as './x.js' (NodeNext); map them back to the .ts files.
  // hp packages resolve to their sources, so a test never runs against a stale dist/.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@hp/(data|cache|async|pool|monitor|optimizer|llm)$': '<rootDir>/../../packages/$1/src/index.ts',
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  // fast-check with a fixed seed: property tests are deterministic (see jest.setup.cjs).
  setupFiles: [require('node:path').join(__dirname, 'jest.setup.cjs')],
  testTimeout: 20000,
  // Tests must close what they open: Jest reports handles left behind and the process exits on its own.
  detectOpenHandles: false,
};
