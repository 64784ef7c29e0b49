import { type Agent } from './agent.js';
import { BoltzmannModel } from './models/boltzmann.js';
import type { DriverContext, SimulationDriver } from './simulationDriver.js';

/**
 * Runs the Boltzmann wealth model under a scenario: `agents` agents on a torus grid sized for about one
 * agent per cell (the tutorial's density), decisions through `shuffleDoAsync` with the scenario's
 * concurrency. Every agent decision is recorded as a request. No LLM, no cache: those figures stay empty.
 */
export async function createBoltzmannDriver(context: DriverContext): Promise<SimulationDriver> {
  const { scenario, seed, recorder } = context;
  const side = Math.max(2, Math.ceil(Math.sqrt(scenario.agents)));
  const model = new BoltzmannModel({
    n: scenario.agents,
    width: side,
    height: side,
    seed,
    concurrency: scenario.concurrency,
    decide: (agent: Agent, signal: AbortSignal) => recorder.time(() => agent.decide(signal)),
  });
  return {
    kind: 'boltzmann',
    model,
    dataCollector: model.dataCollector,
    step: (signal) => model.stepAsync(signal),
    modelSeries: () => ({ Gini: model.dataCollector.modelSeries('Gini') as number[] }),
    throughputLimit: () => null,
    close: async () => undefined,
  };
}
