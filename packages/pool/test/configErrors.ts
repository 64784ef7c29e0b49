import { PoolConfigError } from '../src/index.js';

/** `code:field` of the PoolConfigError `fn` throws, 'no error' if it throws none (other errors rethrown). */
export function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof PoolConfigError) return `${err.code}:${err.field}`;
    throw err;
  }
  return 'no error';
}
