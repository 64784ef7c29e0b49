import { DataFormatError } from '../src/index.js';

describe('DataFormatError', () => {
  it('carries a stable code and a message', () => {
    const err = new DataFormatError('BAD_MAGIC', 'not an hp envelope');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('DataFormatError');
    expect(err.code).toBe('BAD_MAGIC');
    expect(err.message).toBe('not an hp envelope');
  });
});
