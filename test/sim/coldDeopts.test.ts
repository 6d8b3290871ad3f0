/**
 * The trace replay's cold start (sim/replayMmu.ts ReplayMmu.evictOne; session 16 (l)): evictOne is not
 * deoptimized at the first table emptied by an unmap (its first 32 calls take unmapPage, so that call
 * site has type feedback before TurboFan compiles evictOne). Code first reached after TurboFan compiled
 * a function is a soft deopt ("Insufficient type feedback") and a recompile with all it inlines. A fresh
 * Node process runs one replay under `--trace-deopt` with TurboFan compiling on the main thread
 * (--no-concurrent-recompilation: each compile lands at the same call whatever the machine's load), and
 * counts the deopts of fault and evictOne it prints.
 *
 * V8's tiering decides when a function is compiled: the capacity (the fill phase, 10,000 misses) is large
 * enough that fault is optimized before its first direct reclaim, where it deoptimizes (kept: see
 * docs/ARCHITECTURE.md session 16 (l)); that deopt shows the run reached the state this test is about.
 * Negative control (run by hand, session 16 (l)): the driver built with replayMmu.ts as at main f4e1925
 * prints evictOne's deopt (1) at its first unmapPage ("Insufficient type feedback for call").
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

async function deopts(
  policy: string,
  capacity: number,
  copies: number,
  heat = false,
): Promise<{ out: string; hot: string[] }> {
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
      [
        '--trace-opt',
        '--trace-deopt',
        '--no-concurrent-recompilation',
        file,
        policy,
        String(capacity),
        String(copies),
        ...(heat ? ['heat'] : []),
      ],
      { encoding: 'utf8', cwd: root, maxBuffer: 64 << 20 },
    );
    const out = r.stdout + r.stderr;
    const hot = [...out.matchAll(/deoptimizing [^<]*<JSFunction (fault|evictOne|scanBin) /g)].map((m) => m[1]);
    return { out, hot };
  } finally {
    rmSync(file, { force: true });
  }
}

describe('trace replay cold start (replayFault.ts cold-start contract)', () => {
  it('exact LRU: evictOne is not deoptimized (fault is, at its first direct reclaim)', async () => {
    const { out, hot } = await deopts('exact-lru', 10_000, 2);
    expect(out).toMatch(/fast true accesses 227744 misses \d+/);
    // fault was compiled before its first reclaim (else this test checks nothing): that deopt is seen.
    expect(hot.filter((f) => f === 'fault').length).toBeGreaterThanOrEqual(1);
    expect(hot.filter((f) => f === 'evictOne').length).toBe(0);
  }, 60_000);

  // heatmap.ts scanBin (session 18 (b)): the sampler's per-bin loop is compiled during the first columns; a
  // page evicted at one column and resident at a later one first took the `ref++` branch after that and
  // deoptimized it, as did the first evicted page's store in a bin scanned after the compile. Branch-free now.
  // Negative control (run by hand, session 18 (b)): heatmap.ts as at main c6faa25 prints 2 deopts of scanBin
  // here (generic keyed access, unary operation) and 3 compiles.
  it('heat map sampler: scanBin is compiled and not deoptimized by a later column', async () => {
    const { out, hot } = await deopts('exact-lru', 10_000, 2, true);
    expect(out).toMatch(/fast true heat columns 19/);
    expect(out).toMatch(/completed compiling [^<]*<JSFunction scanBin /);
    expect(hot.filter((f) => f === 'scanBin').length).toBe(0);
  }, 60_000);
});
