import { packageConfig } from '../../tsup.base.js';

// worker.ts is a second entry: WorkerPool.exec() loads dist/worker.js (ESM) or dist/worker.cjs (CJS)
// next to the running build (shims: true gives both builds __filename).
export default packageConfig({ entry: ['src/index.ts', 'src/worker.ts'] });
