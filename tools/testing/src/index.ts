export { extractReadmeExample, runReadmeExample, wrapExample } from './readme.js';
export type { ReadmeRun } from './readme.js';
export { describeWithService, SERVICES, tcpReachable } from './services.js';
export type { ServiceName } from './services.js';
