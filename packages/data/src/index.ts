export { DataFormatError } from './dataFormatError.js';
export type { DataFormatErrorCode } from './dataFormatError.js';
