module.exports = { ...require('../../jest.preset.cjs'), displayName: '@hp/optimizer' };
