import { estimateSize } from './sizeEstimate.js';

export type Level = 'hot' | 'warm' | 'cold';
export const LEVELS: readonly Level[] = ['hot', 'warm', 'cold'];

/** First matching rule wins; a rule with no condition always matches. */
export interface LevelRule {
  level: Level;
  /** Matches when the value's estimated size is above this many bytes. */
  minBytes?: number;
  /** Matches when the key contains this text (the sketch's key types: `llm_response`, ...). */
  keyIncludes?: string;
  /** Matches when the key starts with this text. */
  keyPrefix?: string;
  /** Matches when the key matches this pattern. */
  keyPattern?: RegExp;
}

/** The design sketch's `_determine_cache_level`, as data. */
export const DEFAULT_LEVEL_RULES: readonly LevelRule[] = [
  { level: 'cold', minBytes: 100_000 },
  { level: 'warm', minBytes: 10_000 },
  { level: 'warm', keyIncludes: 'llm_response' },
  { level: 'hot', keyIncludes: 'agent_memory' },
  { level: 'cold', keyIncludes: 'state_snapshot' },
];

export function selectLevel(
  rules: readonly LevelRule[],
  key: string,
  value: unknown,
  fallback: Level,
  sizeOf: (v: unknown) => number = estimateSize,
): Level {
  let size = -1;
  for (const r of rules) {
    if (r.minBytes !== undefined) {
      if (size < 0) size = sizeOf(value);
      if (!(size > r.minBytes)) continue;
    }
    if (r.keyIncludes !== undefined && !key.includes(r.keyIncludes)) continue;
    if (r.keyPrefix !== undefined && !key.startsWith(r.keyPrefix)) continue;
    if (r.keyPattern !== undefined && !r.keyPattern.test(key)) continue;
    return r.level;
  }
  return fallback;
}
