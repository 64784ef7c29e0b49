const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'sim-runner',
  // The README example imports the app by its name; map it to the sources like the @hp packages.
  moduleNameMapper: { '^sim-runner$': '<rootDir>/src/index.ts', ...preset.moduleNameMapper },
};
