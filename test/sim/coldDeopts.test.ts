/**
 * The trace replay's cold-start contract (sim/replayFault.ts ReplayFaults.fault, sim/replayMmu.ts
 * evictOne; session 16 (l)): code first reached after TurboFan compiled a function (a soft deopt,
 * "Insufficient type feedback", then a recompile with all it inlines) is limited to fault's direct
 * reclaim loop: no deopt of fault at the first refault, none of evictOne at the first table emptied by
 * an unmap. A fresh Node process runs one replay under `--trace-deopt` with TurboFan compiling on the
 * main thread (--no-concurrent-recompilation: each compile lands at the same call whatever the machine's
 * load), and counts the deopts of fault and evictOne it prints.
 *
 * V8's tiering decides when fault is compiled: the capacity (the fill phase, 10,000 misses) is large
 * enough that fault is optimized before its first reclaim. Negative control (run by hand, session 16 (l)):
 * with replayFault.ts and replayMmu.ts as at main f4e1925 the test fails (fault 2, evictOne 1).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

async function deopts(policy: string, capacity: number, copies: number): Promise<{ out: string; hot: string[] }> {
  // Two levels under the repository: fixtures.ts finds the presets and traces from import.meta.url.
  const dir = path.join(root, '.cache', 'cold-deopts');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `driver-${process.pid}.mjs`);
  try {
    await build({
      entryPoints: [path.join(root, 'test/sim/coldDeopts.driver.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: file,
      logLevel: 'silent',
    });
    const r = spawnSync(
      process.execPath,
      ['--trace-deopt', '--no-concurrent-recompilation', file, policy, String(capacity), String(copies)],
      { encoding: 'utf8', cwd: root, maxBuffer: 64 << 20 },
    );
    const out = r.stdout + r.stderr;
    const hot = [...out.matchAll(/deoptimizing [^<]*<JSFunction (fault|evictOne) /g)].map((m) => m[1]);
    return { out, hot };
  } finally {
    rmSync(file, { force: true });
  }
}

describe('trace replay cold start (replayFault.ts cold-start contract)', () => {
  it('exact LRU: fault deoptimizes once (its first direct reclaim), evictOne never', async () => {
    const { out, hot } = await deopts('exact-lru', 10_000, 2);
    expect(out).toMatch(/fast true accesses 227744 misses \d+/);
    // fault was compiled before its first reclaim (else this test checks nothing): that deopt is seen.
    expect(hot.filter((f) => f === 'fault').length).toBe(1);
    expect(hot.filter((f) => f === 'evictOne').length).toBe(0);
  }, 60_000);
});
