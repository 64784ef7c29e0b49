import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README example of a package, run as a test so that the documentation cannot drift from the code.
 *
 * The example is the first ```ts block of README.md. It may use top-level `await` and `console.log`,
 * and imports the package by its published name ('@hp/cache'); Jest maps that name to the package's
 * src/. Its import lines are hoisted, the rest is wrapped in an async function, and the whole runs
 * through Jest's own transform.
 */
export function extractReadmeExample(readmePath: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const match = /```ts\n([\s\S]*?)\n```/.exec(text);
  if (!match) throw new Error(`${readmePath} has no \`\`\`ts example block`);
  return match[1]!;
}

const IMPORT = /^import\s[\s\S]*?from\s+['"][^'"]+['"];?\s*$/gm;

export function wrapExample(code: string): string {
  const imports = code.match(IMPORT) ?? [];
  const body = code.replace(IMPORT, '');
  return `${imports.join('\n')}\n\nexport default async function readmeExample(): Promise<void> {\n${body}\n}\n`;
}

export interface ReadmeRun {
  /** Everything the example printed with console.log, one entry per call (arguments joined by spaces). */
  logs: string[];
}

/** Runs a package's README example (see above) and returns what it logged; throws what it throws. */
export async function runReadmeExample(packageDir: string): Promise<ReadmeRun> {
  const code = extractReadmeExample(join(packageDir, 'README.md'));
  const file = join(packageDir, 'test', `readme-example.generated.${process.pid}.ts`);
  writeFileSync(file, wrapExample(code));
  const logs: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default: () => Promise<void> };
    await mod.default();
  } finally {
    console.log = original;
    rmSync(file, { force: true });
  }
  return { logs };
}
