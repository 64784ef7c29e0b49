export { describeWithService, SERVICES, tcpReachable } from './services.js';
export type { ServiceName } from './services.js';
