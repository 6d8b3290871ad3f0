// `npm run lab -- <command> ...`: bundles the sim worker (bundleWorkers) and engine/cli/main.ts with
// esbuild into .cache/, then runs the CLI in this process with the remaining arguments.
// Exit codes: see engine/cli/main.ts (2 = bad parameters, one line on stderr).
// LAB_NO_WORKER_BUILD=1 skips rebundling the workers (tests: vitest's globalSetup already built them,
// and rewriting a worker file while another test starts it would race).
import { build } from 'esbuild';
import { renameSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkers, nodeBundle, root } from './workers.mjs';

const outfile = path.join(root, '.cache', 'cli', 'lab.mjs');
try {
  if (!process.env.LAB_NO_WORKER_BUILD) await bundleWorkers();
  const result = await build({
    ...nodeBundle,
    entryPoints: [path.join(root, 'engine', 'cli', 'main.ts')],
    outfile,
    write: false,
    sourcemap: 'inline',
  });
  // Write then rename: concurrent `lab` processes never import a half-written bundle.
  mkdirSync(path.dirname(outfile), { recursive: true });
  const tmp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0].contents);
  renameSync(tmp, outfile);
} catch (e) {
  console.error(`lab: build failed: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  process.exit(1);
}
const { runCli, processContext } = await import(pathToFileURL(outfile).href);
const code = await runCli(process.argv.slice(2), processContext(root));
// Workers are terminated by the engine; exit explicitly so nothing else can keep the process alive.
process.exit(code);
