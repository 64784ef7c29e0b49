/** Stable codes of every error @hp/cache throws. */
export type CacheErrorCode =
  | 'INVALID_OPTION'
  | 'CLOSED'
  | 'ABORTED'
  | 'LOADER_TIMEOUT'
  | 'STORE_TIMEOUT'
  | 'CIRCUIT_OPEN'
  | 'SERIALIZATION'
  | 'INVALID_TRACE'
  | 'INVALID_SNAPSHOT';

/** An error from @hp/cache: `code` is stable, the message says what to do. */
export class CacheError extends Error {
  readonly code: CacheErrorCode;
  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CacheError';
    this.code = code;
  }
}

/** Turns a zod error into a CacheError naming the first offending option. */
export function invalidOption(
  where: string,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): CacheError {
  const first = issues[0];
  const name = first && first.path.length > 0 ? first.path.map(String).join('.') : '(options)';
  return new CacheError(
    'INVALID_OPTION',
    `${where}: option "${name}" is invalid: ${first?.message ?? 'unknown problem'}. Fix that option and retry.`,
  );
}
