// `npm run bench`: bundles every bench/*.ts (and the worker entries) with esbuild, then runs
// each bundle in its own Node process, in name order. Each bench prints its own figures.
// `npm run bench -- core` runs only the benches whose file name contains "core".
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { bundleWorkers, nodeBundle, root } from './workers.mjs';

const filter = process.argv[2] ?? '';
const benchDir = path.join(root, 'bench');
const outDir = path.join(root, '.cache', 'bench');
const names = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f.includes(filter))
  .sort();

await bundleWorkers();
await build({
  ...nodeBundle,
  entryPoints: names.map((n) => path.join(benchDir, n)),
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
});

console.log(`Overcommit Lab benchmarks — node ${process.version}, ${(await import('node:os')).cpus().length} cores\n`);
let failed = 0;
for (const n of names) {
  const file = path.join(outDir, n.replace(/\.ts$/, '.mjs'));
  console.log(`== ${n.replace(/\.ts$/, '')}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${n} failed with exit code ${r.status}`);
  }
  console.log('');
}
process.exit(failed ? 1 : 0);
