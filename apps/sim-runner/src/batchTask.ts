import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve } from 'node:path';
import type { Row } from './dataCollector.js';
import type { Model } from './model.js';
import { BoltzmannModel } from './models/boltzmann.js';

/** A model class batchRun can build: `new Class({ ...parameters, seed })`, with a DataCollector. */
export type BatchModelClass = new (params: Record<string, unknown> & { seed: number }) => Model;

/**
 * Which model a batch runs. Worker threads cannot receive a class, so a model is named:
 * - a built-in name (`'boltzmann'`), or
 * - `{ module, export }`: a module (absolute path, path relative to the working directory, or file: URL;
 *   ESM or CJS, already JavaScript) whose export (default `default`) is the model class.
 * In-process runs (`workers: 0`) also accept the class itself.
 */
export type ModelSpec = string | { module: string; export?: string } | BatchModelClass;

export const BUILTIN_MODELS: Readonly<Record<string, BatchModelClass>> = {
  boltzmann: BoltzmannModel as unknown as BatchModelClass,
};

/** One run of a batch, as sent to a worker (plain data). */
export interface BatchTask {
  model: Exclude<ModelSpec, BatchModelClass> | BatchModelClass;
  runId: number;
  iteration: number;
  seed: number;
  params: Record<string, unknown>;
  maxSteps: number;
  /** -1: only the final collected step; k >= 1: every k-th collected step (and the last). */
  dataCollectionPeriod: number;
}

interface Collector {
  modelVars(): Row[];
  agentVars(): Row[];
}

async function resolveModel(spec: BatchTask['model']): Promise<BatchModelClass> {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') {
    const builtin = BUILTIN_MODELS[spec];
    if (!builtin)
      throw new Error(
        `batchRun: no built-in model "${spec}" (built-in: ${Object.keys(BUILTIN_MODELS).join(', ')})`,
      );
    return builtin;
  }
  const url = spec.module.startsWith('file:')
    ? spec.module
    : pathToFileURL(isAbsolute(spec.module) ? spec.module : resolve(spec.module)).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const name = spec.export ?? 'default';
  let found = mod[name];
  // A CJS module imported from ESM puts module.exports on `default`.
  if (found === undefined && mod.default && typeof mod.default === 'object') {
    found = (mod.default as Record<string, unknown>)[name];
  }
  if (typeof found !== 'function')
    throw new Error(`batchRun: ${spec.module} has no exported model class "${name}"`);
  return found as BatchModelClass;
}

function collectorOf(model: Model): Collector {
  const m = model as unknown as { dataCollector?: Collector; datacollector?: Collector };
  const dc = m.dataCollector ?? m.datacollector;
  if (!dc || typeof dc.modelVars !== 'function') {
    throw new Error(`batchRun: ${model.constructor.name} has no dataCollector property to read results from`);
  }
  return dc;
}

/** Runs one task to the end and turns what its DataCollector holds into batch rows (Mesa's batch_run rows). */
export async function runBatchTask(task: BatchTask): Promise<Row[]> {
  const Model = await resolveModel(task.model);
  const model = new Model({ ...task.params, seed: task.seed });
  await model.runModel({ maxSteps: task.maxSteps });
  const dc = collectorOf(model);
  const modelRows = dc.modelVars();
  const agentRows = dc.agentVars();
  const steps = modelRows.map((r) => r.Step as number);
  const wanted = new Set<number>();
  if (steps.length > 0) {
    if (task.dataCollectionPeriod === -1) wanted.add(steps.at(-1)!);
    else {
      steps.forEach((s, i) => {
        if (i % task.dataCollectionPeriod === 0) wanted.add(s);
      });
      wanted.add(steps.at(-1)!);
    }
  }
  const base = { RunId: task.runId, iteration: task.iteration, seed: task.seed, ...task.params };
  const agentsByStep = new Map<number, Row[]>();
  for (const row of agentRows) {
    const step = row.Step as number;
    if (!wanted.has(step)) continue;
    let list = agentsByStep.get(step);
    if (!list) agentsByStep.set(step, (list = []));
    list.push(row);
  }
  const rows: Row[] = [];
  for (const modelRow of modelRows) {
    const step = modelRow.Step as number;
    if (!wanted.has(step)) continue;
    const agents = agentsByStep.get(step);
    if (agents?.length) for (const agentRow of agents) rows.push({ ...base, ...modelRow, ...agentRow });
    else rows.push({ ...base, ...modelRow });
  }
  return rows;
}
