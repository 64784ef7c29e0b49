// The built-in worker of WorkerPool.exec(): loads a module (once per thread) and calls one of its
// exports. Built to dist/worker.js (ESM) and dist/worker.cjs (CJS); kept free of package imports.
import { fileURLToPath } from 'node:url';

export interface ExecTask {
  module: string;
  export: string;
  args: unknown[];
}

const loaded = new Map<string, Promise<Record<string, unknown>>>();

export default async function runExport(task: ExecTask): Promise<unknown> {
  const spec = task.module.startsWith('file:') ? fileURLToPath(task.module) : task.module;
  let mod = loaded.get(spec);
  if (!mod) {
    mod = import(spec) as Promise<Record<string, unknown>>;
    loaded.set(spec, mod);
  }
  const m = await mod;
  const fn = m[task.export] ?? (m.default as Record<string, unknown> | undefined)?.[task.export];
  if (typeof fn !== 'function')
    throw new TypeError(`${task.module} has no exported function "${task.export}"`);
  return (fn as (...args: unknown[]) => unknown)(...task.args);
}
