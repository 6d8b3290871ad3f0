/**
 * Stress on the engine's own parallel configuration: a spread run (plan.spread: the VMs' vCPUs on two
 * worker_threads, the node's reclaim on worker 0, one SharedArrayBuffer stage-2) started through the
 * engine host (startRun), on the engine's worker code with random yields between its atomics
 * (simChaosWorker.ts), in debug poison mode (freed table pages are poisoned, walks that meet one count
 * a use-after-free). What must happen for real: vCPUs' hardware-AF cmpxchg losing to reclaim's
 * testClearYoung or unmap (cmpxchg failures), and table pages unlinked while a vCPU on the other worker
 * is inside its RCU read-side section (frees deferred by a reader in flight); what must not: a
 * use-after-free. Negative controls: the planted bug (tables freed without a grace period) is caught,
 * and one worker (deterministic) has neither race.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startRun } from '../../engine/host/engine.ts';
import { nodeSpawner, nodeSpawnerFrom } from '../../engine/host/node/spawn.ts';
import type { SimCoreHooks } from '../../engine/core/sim/simCore.ts';
import type { SimBuffers } from '../../engine/core/sim/simLayout.ts';
import type { RunResult, ScenarioConfig } from '../../engine/protocol.ts';
import { attachArena } from '../../engine/core/layout.ts';
import { arenaStats } from '../../engine/core/arch/arena.ts';
import { rcuStats } from '../../engine/core/sync/rcu.ts';
import { hardware } from '../sim/fixtures.ts';
import { STRESS_SEED } from './stressShared.ts';

const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};

/**
 * Two VMs on a host with 5/8 of their memory: 'scan' sweeps its whole memory (its evictions empty whole
 * leaf tables, which are unlinked and freed through callRcu), 'hot' has six vCPUs on a hot set of four
 * pages that moves every 0.25 ms (their hardware AF updates meet each other's, the permission
 * faults' and reclaim's on the same leaves). Pages are mapped old and there is no TLB: every access
 * walks, and the first touches of a page set AF by cmpxchg.
 */
function scenario(deterministic: boolean): ScenarioConfig {
  return {
    name: 'spread stress',
    description: '',
    hardware: hardware('ampere-altra'),
    host: { memoryMiB: 6, watermarks: { minPct: 1, lowPct: 3, highPct: 6 }, swap: { device: 'zram', sizeMiB: 256 } },
    guests: [
      {
        name: 'scan',
        memoryMiB: 8,
        vcpus: 2,
        workload: { kind: 'scan', pages: 8 * 256, writeFraction: 0.1, thinkNs: 50 },
        protected: false,
      },
      {
        name: 'hot',
        memoryMiB: 4,
        vcpus: 6,
        workload: {
          kind: 'hotset',
          pages: 4 * 256,
          hotPages: 4,
          hotProbability: 0.5,
          shiftEveryMs: 0.25,
          writeFraction: 0.5,
          thinkNs: 20,
        },
        protected: false,
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 2,
      lookaround: true,
      mapYoung: false,
      tlb: { enabled: false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 40,
      sampleIntervalMs: 10,
      seed: STRESS_SEED,
      deterministic,
      workers: deterministic ? 1 : 2,
      refaultWindowMs: 10,
      demandOnly: false,
    },
  };
}

interface Outcome {
  result: RunResult | null;
  error: Error | null;
  uaf: number;
  poisonReads: number;
  deferredVsReaders: number;
  pagesAwaiting: number;
}

async function run(deterministic: boolean, hooks?: SimCoreHooks): Promise<Outcome> {
  let buffers: SimBuffers | undefined;
  let seed = STRESS_SEED * 100;
  const spawnWorker = deterministic
    ? nodeSpawner(workers.workerPath('sim-worker'))
    : nodeSpawnerFrom(() => new Worker(workers.workerPath('sim-chaos-worker'), { workerData: { seed: ++seed } }));
  let result: RunResult | null = null;
  let error: Error | null = null;
  try {
    result = await startRun(scenario(deterministic), {
      spawnWorker,
      onEvent: () => {},
      heatmap: false,
      debugPoison: true,
      hooks,
      onPrepared: (b) => (buffers = b),
    }).done;
  } catch (e) {
    error = e as Error;
  }
  if (!buffers) throw new Error('the run never allocated its buffers');
  const arena = attachArena(buffers.arena);
  const a = arenaStats(arena);
  const r = rcuStats(arena);
  return {
    result,
    error,
    uaf: a.uaf,
    poisonReads: a.poisonReads,
    deferredVsReaders: r.deferredVsReaders,
    pagesAwaiting: r.pagesAwaiting,
  };
}

describe('engine stress: spread run on two workers (chaos atomics, debug poison)', () => {
  it('vCPUs on both workers race reclaim for real: cmpxchg failures and RCU-deferred frees, no use-after-free', async () => {
    const o = await run(false);
    expect(o.error).toBeNull();
    const r = o.result as RunResult;
    const s = r.summary;
    console.log(
      `engine stress: workers ${r.workers}, accesses ${s.accesses}, evictions ${s.evictions}, cmpxchg failures ${s.cmpxchgFailures}, ` +
        `frees deferred by a reader on another worker ${s.rcuDeferredFrees}, grace periods ${s.rcuGracePeriods}, uaf ${o.uaf}, poison reads ${o.poisonReads}`,
    );
    console.log(
      JSON.stringify(s.guests.map((g) => [g.name, g.accesses, g.evictions, g.s2Faults, g.refaults])),
      s.tablePagesPeak,
    );
    expect(r.workers).toBe(2);
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.cmpxchgFailures).toBeGreaterThan(0);
    expect(s.rcuDeferredFrees).toBeGreaterThan(0);
    expect(s.rcuDeferredFrees).toBe(o.deferredVsReaders);
    expect(o.uaf).toBe(0);
    expect(o.poisonReads).toBe(0);
    expect(o.pagesAwaiting).toBe(0); // every deferred free ran (rcuBarrier at close)
  });

  it('negative control: tables freed without a grace period are caught as use-after-free', async () => {
    const o = await run(false, { unsafeFreeWithoutGracePeriod: true });
    console.log(
      `engine stress control (unsafe free): uaf ${o.uaf}, poison reads ${o.poisonReads}, error ${o.error?.message ?? 'none'}`,
    );
    // Walks through a freed (poisoned) table: counted, or the walker met garbage and the run failed on it.
    expect(o.uaf + o.poisonReads).toBeGreaterThan(0);
    expect(o.deferredVsReaders).toBe(0); // nothing went through callRcu
  });

  it('negative control: one worker (deterministic) has no cmpxchg failure and no free deferred by another reader', async () => {
    const o = await run(true);
    expect(o.error).toBeNull();
    const s = (o.result as RunResult).summary;
    console.log(
      JSON.stringify(s.guests.map((g) => [g.name, g.accesses, g.evictions, g.s2Faults, g.refaults])),
      s.tablePagesPeak,
    );
    console.log(
      `engine stress control (1 worker): cmpxchg failures ${s.cmpxchgFailures}, deferred ${s.rcuDeferredFrees}, grace periods ${s.rcuGracePeriods}, evictions ${s.evictions}`,
    );
    expect(s.evictions).toBeGreaterThan(0);
    expect(s.rcuGracePeriods).toBeGreaterThan(0); // tables were unlinked and freed after grace periods ...
    expect(s.cmpxchgFailures).toBe(0); // ... but nothing raced
    expect(s.rcuDeferredFrees).toBe(0);
    expect(o.uaf).toBe(0);
  });
});
