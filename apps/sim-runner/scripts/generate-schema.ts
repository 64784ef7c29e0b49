// Writes config/schema.json (the JSON Schema of the configuration file) from the zod schema in src/config.ts.
// Run: npm run schema -w apps/sim-runner. test/config.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { configJsonSchema } from '../src/config.js';

const file = join(import.meta.dirname, '..', 'config', 'schema.json');
const options = (await resolveConfig(file)) ?? {};
writeFileSync(file, await format(JSON.stringify(configJsonSchema()), { ...options, parser: 'json' }));
console.log(`wrote ${file}`);
