// Worker entry points bundled with esbuild for Node (tests, CLI, bench).
// Node 20 worker_threads cannot load .ts, so every worker the Node side starts
// is bundled here into .cache/workers/<name>.mjs. Add an entry when you add a worker.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const workerDir = path.join(root, '.cache', 'workers');

/**
 * esbuild options of every Node bundle (workers, the CLI, benches): one ESM file for Node 20, with
 * `require` defined for the CommonJS dependencies.
 */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Imported constants (GS_*, PG_*, TX_*, C_*, descriptor bits...) inlined as literals. Without it each is
  // a module variable in the bundle, which TurboFan does not fold: a context load, a Smi check and an untag
  // at every use on the hot path (session 10, callgrind of a trace replay: `stats[sb + GS_LOCK_HOLD_NS] +=
  // hold` was 32 instructions). Identifiers are kept (profiles, stack traces); only syntax is minified.
  minifySyntax: true,
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

/** name -> entry (relative to the project root) */
export const workerEntries = {
  // 'stress-worker': 'test/stress/stressWorker.ts',
  'sim-worker': 'engine/host/node/simWorker.ts',
  'lock-worker': 'test/core/lockWorker.ts',
  'vlock-worker': 'test/sim/vlockSharedWorker.ts',
  'rcu-worker': 'test/core/rcuWorker.ts',
  'stress-worker': 'test/stress/stressWorker.ts',
  'sim-chaos-worker': 'test/stress/simChaosWorker.ts',
  'sim-leaky-worker': 'test/host/leakyWorker.ts',
  'pool-exit-probe': 'test/host/poolExitProbe.ts', // not a worker: a child process of workerPool.test.ts
  'page-flags-worker': 'test/stress/pageFlagsWorker.ts',
  'bench-locks-vcpu': 'bench/_locksVcpu.ts',
  'parse-worker': 'engine/host/node/parseWorker.ts',
};

/**
 * Bundles built with engine/core/sync/atomics.ts replaced by another routing module (name -> [entry,
 * replacement]). 'sim-worker-lone': the simulation worker for runs with one worker, whose atomic
 * routing is fixed plain at build time (atomicsLone.ts says why that is correct there and what it saves);
 * engine/host/node/spawn.ts loneAwareSpawner picks it by the run's worker count.
 */
export const aliasedWorkerEntries = {
  'sim-worker-lone': ['engine/host/node/simWorker.ts', 'engine/core/sync/atomicsLone.ts'],
};

/** esbuild plugin: every import of engine/core/sync/atomics.ts resolves to `replacement` instead. */
function atomicsAlias(replacement) {
  const target = path.join(root, 'engine', 'core', 'sync', 'atomics.ts');
  return {
    name: 'atomics-alias',
    setup(b) {
      b.onResolve({ filter: /atomics\.ts$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === target ? { path: path.join(root, replacement) } : undefined,
      );
    },
  };
}

export async function bundleWorkers(entries = workerEntries, aliased = aliasedWorkerEntries) {
  for (const [name, [entry, replacement]] of Object.entries(aliased))
    await build({
      ...nodeBundle,
      entryPoints: { [name]: path.join(root, entry) },
      outdir: workerDir,
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      plugins: [atomicsAlias(replacement)],
    });
  const names = Object.keys(entries);
  if (names.length === 0) return;
  await build({
    ...nodeBundle,
    entryPoints: Object.fromEntries(names.map((n) => [n, path.join(root, entries[n])])),
    outdir: workerDir,
    outExtension: { '.js': '.mjs' },
    // A map file beside the bundle (node --enable-source-maps and debuggers read it): inline, it was
    // 0.94 MB of the sim worker's 1.18 MB, decoded and scanned by every worker a run starts (~10-15 ms
    // of CPU per run: `node .cache/bench/_profileReplay.mjs exact-lru 0`, 7 runs each, median).
    sourcemap: 'linked',
  });
}

/** Absolute path of a bundled worker. */
export function workerPath(name) {
  return path.join(workerDir, `${name}.mjs`);
}
