import { FAULT_KINDS, type FaultKind, type FaultOptions } from './emulatorOptions.js';
import { rngFor } from './random.js';

/**
 * Decides which fault (if any) hits a request. The draw depends only on (seed, request number), so a failing run
 * replays exactly with the same seed: request #n gets the same fault every time.
 */
export class FaultInjector {
  private readonly _options: FaultOptions;
  private readonly _seed: number;

  constructor(options: FaultOptions, seed: number) {
    this._options = options;
    this._seed = seed;
  }

  decide(requestNumber: number, headerValue?: string): FaultKind | undefined {
    if (headerValue && this._options.header) {
      const kind = parseFaultKind(headerValue);
      if (kind) return kind;
    }
    const scheduled = this._options.schedule[String(requestNumber)];
    if (scheduled) return scheduled;
    const u = rngFor(this._seed, 'fault', requestNumber)();
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      acc += this._options[kind];
      if (u < acc) return kind;
    }
    return undefined;
  }
}

/** 'reset', '500', 'http500', '429', ... to a FaultKind (undefined if unknown). */
export function parseFaultKind(text: string): FaultKind | undefined {
  const t = text.trim().toLowerCase();
  const kind = /^\d+$/.test(t) ? `http${t}` : t;
  return (FAULT_KINDS as readonly string[]).includes(kind) ? (kind as FaultKind) : undefined;
}
