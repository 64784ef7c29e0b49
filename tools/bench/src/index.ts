export { defineSuite } from './suite.js';
export type { BenchCase, BenchResult, MeasuredCase, Suite, TimedCase } from './suite.js';
export { formatTable, makeResult, median } from './report.js';
