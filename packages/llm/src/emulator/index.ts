export { startEmulator } from './emulatorServer.js';
export type { Emulator, EmulatorStats } from './emulatorServer.js';
export { parseEmulatorOptions, parseEmulatorReconfiguration, FAULT_KINDS } from './emulatorOptions.js';
export type {
  EmulatorOptions,
  EmulatorReconfiguration,
  ResolvedEmulatorOptions,
  FaultKind,
  LatencyOptions,
  FaultOptions,
} from './emulatorOptions.js';
export { generateAnswer, findChoices } from './answer.js';
export type {
  Answer,
  AnswerInput,
  AnswerMessage,
  AnswerTool,
  AnswerToolCall,
  AnswerToolChoice,
} from './answer.js';
export { countTokens, countChatTokens, splitTokens, truncateToTokens } from './tokenizer.js';
export { LatencyModel } from './latencyModel.js';
export type { LatencyPlan } from './latencyModel.js';
export { EmulatorRateLimiter, TokenBucket, formatResetDuration } from './rateLimiter.js';
export type { Clock, RateDecision } from './rateLimiter.js';
export { FaultInjector, parseFaultKind } from './faultInjector.js';
export { embeddingVector } from './embeddingVector.js';
