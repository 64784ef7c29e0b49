import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defaultCheckpointCodec } from './checkpointCodec.js';
import type { Model, ModelCoreState } from './model.js';

/** What a checkpoint holds: the model's bookkeeping (seed, generator state, steps, ids) and its own state. */
export interface Checkpoint {
  format: 'sim-runner/checkpoint';
  version: 1;
  /** Class name of the model, checked on restore. */
  model: string;
  core: ModelCoreState;
  state: unknown;
}

/**
 * Turns a checkpoint into bytes and back. The default is @hp/data's envelope (see checkpointCodec.ts);
 * any codec with these two functions plugs in.
 */
export interface CheckpointCodec {
  encode(value: unknown): Uint8Array | Promise<Uint8Array>;
  decode(bytes: Uint8Array): unknown;
}

/** Where checkpoints live: a file by default; a PostgreSQL table (through @hp/pool) satisfies the same shape. */
export interface CheckpointStore {
  save(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  load(key: string, signal?: AbortSignal): Promise<Uint8Array>;
}

export type CheckpointErrorCode = 'CHECKPOINT_INVALID' | 'CHECKPOINT_MODEL_MISMATCH' | 'CHECKPOINT_NOT_FOUND';

export class CheckpointError extends Error {
  readonly code: CheckpointErrorCode;
  constructor(code: CheckpointErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointError';
    this.code = code;
  }
}

/** A checkpoint of `model` as plain data (calls `model.saveState()`). */
export function createCheckpoint(model: Model): Checkpoint {
  return {
    format: 'sim-runner/checkpoint',
    version: 1,
    model: model.constructor.name,
    core: model.coreState(),
    state: model.saveState(),
  };
}

/** Puts `model` (created with the checkpoint's seed and parameters) in the checkpointed state. */
export function restoreCheckpoint(model: Model, checkpoint: Checkpoint): void {
  if (checkpoint.model !== model.constructor.name) {
    throw new CheckpointError(
      'CHECKPOINT_MODEL_MISMATCH',
      `the checkpoint is of a ${checkpoint.model}, not a ${model.constructor.name}: restore it into the same model class`,
    );
  }
  model.loadState(checkpoint.state);
  model.restoreCoreState(checkpoint.core);
}

/** Stores checkpoints as files; `key` is the file path. Writes go to a temporary file then rename (atomic). */
export class FileCheckpointStore implements CheckpointStore {
  async save(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    await mkdir(dirname(key), { recursive: true });
    const tmp = `${key}.${process.pid}.tmp`;
    try {
      await writeFile(tmp, bytes, { signal });
      await rename(tmp, key);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
  }

  async load(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    try {
      return await readFile(key, { signal });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CheckpointError('CHECKPOINT_NOT_FOUND', `no checkpoint at ${key}`, { cause: error });
      }
      throw error;
    }
  }
}

export interface CheckpointIoOptions {
  /** Default: `defaultCheckpointCodec` (the @hp/data envelope). */
  codec?: CheckpointCodec;
  store?: CheckpointStore;
  signal?: AbortSignal;
}

/** Saves a checkpoint of `model` under `key` (a file path with the default store). */
export async function saveCheckpoint(
  model: Model,
  key: string,
  options: CheckpointIoOptions = {},
): Promise<Checkpoint> {
  const checkpoint = createCheckpoint(model);
  const store = options.store ?? new FileCheckpointStore();
  await store.save(key, await (options.codec ?? defaultCheckpointCodec).encode(checkpoint), options.signal);
  return checkpoint;
}

/** Reads and checks a checkpoint. */
export async function loadCheckpoint(key: string, options: CheckpointIoOptions = {}): Promise<Checkpoint> {
  const store = options.store ?? new FileCheckpointStore();
  const bytes = await store.load(key, options.signal);
  let value: unknown;
  try {
    value = await (options.codec ?? defaultCheckpointCodec).decode(bytes);
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_INVALID',
      `${key} could not be decoded: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const c = value as Partial<Checkpoint> | null;
  if (
    !c ||
    c.format !== 'sim-runner/checkpoint' ||
    c.version !== 1 ||
    !c.core ||
    typeof c.model !== 'string'
  ) {
    throw new CheckpointError('CHECKPOINT_INVALID', `${key} is not a sim-runner checkpoint (version 1)`);
  }
  return c as Checkpoint;
}

/** Loads the checkpoint under `key` into `model`. */
export async function resumeFromCheckpoint(
  model: Model,
  key: string,
  options: CheckpointIoOptions = {},
): Promise<void> {
  restoreCheckpoint(model, await loadCheckpoint(key, options));
}
