import { packageConfig } from '../../tsup.base.js';

// batchWorker is the worker-thread entry of batchRun (dist/batchWorker.js and .cjs, found next to the build).
export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts', 'src/batchWorker.ts'] });
