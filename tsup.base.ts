import { defineConfig, type Options } from 'tsup';

/**
 * Every package builds the same way: ESM + CJS + declarations for each entry, one file per format,
 * Node 22 syntax. `extra` adds package-specific options (more entries, `noExternal`, ...).
 */
export function packageConfig(extra: Options = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    ...extra,
  });
}
