/**
 * The layout guards itself: the domain imports no adapter or runtime module, nothing outside test/
 * imports from test/, there is no import cycle anywhere, and functions/ holds only Lambda code.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_DIRS = ['functions', 'infra', 'cli', 'local', 'bench', 'scripts', 'test'];

const walk = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === 'node_modules' || name === 'out' ? [] : walk(path);
    return /\.(ts|mjs|cjs)$/.test(name) ? [path] : [];
  });

const files = SOURCE_DIRS.flatMap(walk);

/** The repository files a file imports (relative and `#lib/` specifiers; packages are left out). */
const importsOf = (file: string): string[] => {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => (m[1] ?? m[2]) as string);
  return specs.flatMap((spec) => {
    const target = spec.startsWith('#lib/')
      ? join('functions/lib', spec.slice(5))
      : spec.startsWith('.')
        ? normalize(join(dirname(file), spec))
        : undefined;
    if (!target) return [];
    const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.mjs')];
    const found = candidates.find(
      (candidate) => existsSync(join(root, candidate)) && statSync(join(root, candidate)).isFile(),
    );
    return found ? [found] : [];
  });
};

const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('layout', () => {
  it('keeps the domain free of adapters and runtime wiring', () => {
    const offending = [...graph]
      .filter(([file]) => file.startsWith('functions/lib/domain/'))
      .flatMap(([file, imports]) =>
        imports.filter((i) => !i.startsWith('functions/lib/domain/')).map((i) => `${file} -> ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it('has nothing outside test/ import from test/', () => {
    const offending = [...graph]
      .filter(([file]) => !file.startsWith('test/'))
      .flatMap(([file, imports]) => imports.filter((i) => i.startsWith('test/')).map((i) => `${file} -> ${i}`));
    expect(offending).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('keeps only Lambda functions (each with its handler) and their shared lib in functions/', () => {
    const dirs = readdirSync(join(root, 'functions')).filter((name) =>
      statSync(join(root, 'functions', name)).isDirectory(),
    );
    expect(dirs.filter((name) => name !== 'lib' && !existsSync(join(root, 'functions', name, 'handler.ts')))).toEqual(
      [],
    );
    expect(relative(root, join(root, 'functions/lib'))).toBe('functions/lib');
  });
});
