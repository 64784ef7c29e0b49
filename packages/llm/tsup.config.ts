import { packageConfig } from '../../tsup.base.js';

export default packageConfig({
  entry: { index: 'src/index.ts', 'emulator/index': 'src/emulator/index.ts', cli: 'src/cli.ts' },
});
