const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: '@hp/llm',
  moduleNameMapper: {
    '^@hp/llm/emulator$': '<rootDir>/src/emulator/index.ts',
    ...preset.moduleNameMapper,
  },
};
