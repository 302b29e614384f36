import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * ARCHITECTURE.md's layers, lowest first: a folder imports only from itself and folders before it. `bench/` (the
 * benchmarks: they time every layer) sits just below `cli/`, which alone may import it.
 */
const LAYERS = [
  'core',
  'book',
  'venue',
  'sim',
  'data',
  'features',
  'models',
  'risk',
  'router',
  'tca',
  'backtest',
  'rl',
  'fix',
  'live',
  'monitor',
  'bench',
  'cli',
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every import of a source file (type-only ones too: a type is a dependency), resolved to a file under src/. */
function imports(file: string, text = readFileSync(file, 'utf8')): string[] {
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm)].map((m) => m[1] ?? m[2]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

const SRC = resolve('src');
const all = files(SRC);
const layerOf = (f: string) => relative(SRC, f).split(/[\\/]/)[0]!;

/** The import graph's cycles (Tarjan's strongly connected components of more than one file, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.map((f) => relative(SRC, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the layers', () => {
  it('every folder of src/ is a layer of ARCHITECTURE.md', () => {
    for (const f of all) expect(LAYERS, relative(SRC, f)).toContain(layerOf(f));
  });

  it('no import points down the list of layers', () => {
    const bad: string[] = [];
    for (const f of all) {
      const mine = LAYERS.indexOf(layerOf(f));
      for (const target of imports(f)) {
        const theirs = LAYERS.indexOf(layerOf(target));
        if (theirs > mine) bad.push(`${relative(SRC, f)} imports ${relative(SRC, target)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the check sees a downward import and an import cycle when there is one', () => {
    // the same functions on made-up sources: a core file importing the router must be found, and a → b → a
    const fake = join(SRC, 'core', 'fake.ts');
    const found = imports(fake, "import { x } from '../router/engine.js';\nimport type { Y } from './types.js';\nexport { z } from './z.js';");
    expect(found.map((t) => layerOf(t))).toEqual(['router', 'core', 'core']);
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });

  it('there is no import cycle', () => {
    const graph = new Map(all.map((f) => [f, imports(f).filter((t) => all.includes(t))]));
    expect(cycles(graph)).toEqual([]);
  });

  it('one function builds a world: nothing in src/ but backtest/world.ts builds a session', () => {
    const builders = all.filter((f) => f !== join(SRC, 'sim', 'session.ts') && /\bbuildSession\(/.test(readFileSync(f, 'utf8')));
    expect(builders.map((f) => relative(SRC, f))).toEqual([join('backtest', 'world.ts')]);
  });

  it('cli/ computes nothing: it imports no simulator, venue, book or model internals', () => {
    const bad = all
      .filter((f) => layerOf(f) === 'cli')
      .flatMap((f) =>
        imports(f)
          .filter((t) => ['book', 'venue', 'sim', 'features'].includes(layerOf(t)) && !/kind-registry|session\.ts$/.test(t))
          .map((t) => `${relative(SRC, f)} imports ${relative(SRC, t)}`),
      );
    expect(bad).toEqual([]);
  });
});
