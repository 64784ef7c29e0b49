import { packageConfig } from '../../tsup.base.js';

// Keep `node:` prefixes: `node:sqlite` only exists with the prefix.
export default packageConfig({ removeNodeProtocol: false });
