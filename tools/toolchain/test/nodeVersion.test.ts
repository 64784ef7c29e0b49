import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Scripts must run on the Node pinned as a root devDependency (npm puts node_modules/.bin first on
// PATH), never on whatever Node the machine has. These tests fail if that ever silently falls back.
const root = join(__dirname, '..', '..', '..');
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  engines: { node: string };
};

describe('the Node that runs our scripts', () => {
  const pinned = rootPackage.devDependencies.node;

  it('is pinned exactly to a Node 24 release', () => {
    expect(pinned).toMatch(/^24\.\d+\.\d+$/);
  });

  it('is the pinned one, not the system Node', () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it('is what `node` resolves to on the PATH that npm gives scripts', () => {
    const onPath = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
    expect(onPath).toBe(`v${pinned}`);
  });

  it('satisfies engines.node, which claims no more than Node 24.11', () => {
    expect(rootPackage.engines.node).toBe('>=24.11');
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major! > 24 || (major === 24 && minor! >= 11)).toBe(true);
  });

  it('matches .nvmrc', () => {
    expect(readFileSync(join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
  });
});
