import { wrapExample } from '../src/index.js';

describe('wrapExample', () => {
  it('hoists imports (also multi-line) and wraps the rest in an async function', () => {
    const code = [
      "import { a } from '@hp/data';",
      'import {',
      '  b,',
      '  c,',
      "} from '@hp/cache';",
      '',
      'const x = await a(b, c);',
      'console.log(x);',
    ].join('\n');
    const wrapped = wrapExample(code);
    expect(
      wrapped.startsWith("import { a } from '@hp/data';\nimport {\n  b,\n  c,\n} from '@hp/cache';"),
    ).toBe(true);
    expect(wrapped).toContain('export default async function readmeExample(): Promise<void> {');
    expect(wrapped).toMatch(
      /readmeExample\(\): Promise<void> \{\n[\s\S]*const x = await a\(b, c\);\nconsole\.log\(x\);\n\}\n$/,
    );
  });
});
