// Helpers shared by the benches (files starting with _ are not run as benches).
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { leafAttrs } from '../engine/core/arch/descriptor.ts';
import { PAGE_SIZE } from '../engine/core/layout.ts';
import { stage2Map, type Pgt } from '../engine/core/arch/pgtable.ts';
import type { HardwareProfile, HarvestMode, ReclaimSpec, ScenarioConfig } from '../engine/protocol.ts';
import { prepareRun, RowStore, type PreparedRun } from '../engine/core/sim/run.ts';
import { plainArenaOps, setAtomicOps } from '../engine/core/sync/atomics.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { selectReplay } from '../engine/core/sim/replaySelect.ts';
import { attachSimViews, type SimViews } from '../engine/core/sim/simLayout.ts';
import { resolveScenario } from '../engine/core/config/index.ts';
import { loadPresetDir } from '../presets/node.ts';

export const GUEST_GFNS = 2 ** 18; // 1 GiB of 4 KiB pages

/** A rate with its unit prefix: '12.3 M' or '456.7 k'. */
export const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : `${(x / 1e3).toFixed(1)} k`);

/** Best of `rounds` timed runs of fn (which returns the number of operations it did): ops per second. */
export function rate(rounds: number, fn: () => number): number {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const ops = fn();
    best = Math.max(best, ops / ((performance.now() - t0) / 1000));
  }
  return best;
}

/** Maps all GUEST_GFNS pages of `pgt` with young 4K leaves (frames from 2^22): the dense 1 GiB guest. */
export function mapDenseGuest(pgt: Pgt): void {
  if (stage2Map(pgt, 0, GUEST_GFNS * PAGE_SIZE, 2 ** 22, leafAttrs({ young: true })) !== 0)
    throw new Error('map failed');
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One guest, one vCPU replaying `trace` on a host of exactly `capacity` pages, demand eviction (bench/replay.ts, _profileReplay.ts). */
export function replayScenario(
  hw: HardwareProfile,
  capacity: number,
  policy: ReclaimSpec['policy'],
  trace: string,
): ScenarioConfig {
  return {
    name: `replay ${policy}`,
    description: '',
    hardware: hw,
    host: {
      memoryMiB: capacity / 256,
      watermarks: { minPct: 0, lowPct: 0, highPct: 0 },
      swap: { device: 'zram', sizeMiB: 1024 },
    },
    guests: [
      {
        name: 'g0',
        memoryMiB: 192,
        vcpus: 1,
        workload: { kind: 'trace', trace, writeFraction: 0, thinkNs: 0 },
        protected: false,
      },
    ],
    reclaim: {
      policy,
      harvest: 'lockless',
      agingIntervalMs: 1000,
      lookaround: false,
      mapYoung: false,
      tlb: { enabled: false, entries: 64, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 3_600_000,
      sampleIntervalMs: 1000,
      seed: 1,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 1000,
      demandOnly: true,
    },
  };
}

/**
 * Preset scenario `id` as the seed-debate diagnostics run it (bench/_harvestAudit.ts, _seedDiag.ts,
 * _pkvmAging.ts): resolved from ./presets on `hardware`, a deep copy, deterministic, `durationMs` long, and
 * with `harvest` (set after resolving, not a resolve override) when given.
 */
export function diagScenario(id: string, hardware: string, durationMs: number, harvest?: HarvestMode): ScenarioConfig {
  const r = resolveScenario(loadPresetDir(process.cwd() + '/presets').set, id, { hardware });
  if (!r.ok) throw new Error(r.error.message);
  const config = JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
  if (harvest !== undefined) config.reclaim.harvest = harvest;
  config.run.durationMs = durationMs;
  config.run.deterministic = true;
  return config;
}

/**
 * The 64-vCPU synthetic scenario (bench/engine.ts, _profileSynthetic.ts, _spreadDiag.ts): 64 vCPUs split
 * over `guests` guests of 1 GiB in total, Zipf 0.99, 150 % overcommit, MGLRU lockless, kswapd with
 * watermarks; deterministic on one worker.
 */
export function vcpus64Scenario(
  hw: HardwareProfile,
  guests: number,
  workers: number,
  durationMs: number,
  tlb = true,
  seed = 1,
): ScenarioConfig {
  const per = 64 / guests;
  const guestMiB = 1024 / guests;
  return {
    name: `64 vCPUs in ${guests} guest(s)`,
    description: '',
    hardware: hw,
    host: {
      memoryMiB: Math.round(((guests * guestMiB) / 1.5) * 256) / 256,
      watermarks: { minPct: 1, lowPct: 2, highPct: 4 },
      swap: { device: 'zram', sizeMiB: 8192 },
    },
    guests: Array.from({ length: guests }, (_, i) => ({
      name: `g${i}`,
      memoryMiB: guestMiB,
      vcpus: per,
      workload: { kind: 'zipf' as const, pages: guestMiB * 256, theta: 0.99, writeFraction: 0.2, thinkNs: 100 },
      protected: false,
    })),
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 50,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: tlb, entries: 256, flushOnClear: true },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs,
      sampleIntervalMs: Math.min(50, durationMs),
      seed,
      deterministic: workers === 1,
      workers,
      refaultWindowMs: 100,
      demandOnly: false,
    },
  };
}

/** t repeated n times, in shared memory as TraceLibrary keeps a loaded trace (each run shares it: sharedIds.ts). */
export function repeatTrace(t: Uint32Array, n: number): Uint32Array {
  const out = new Uint32Array(new SharedArrayBuffer(t.byteLength * n));
  for (let i = 0; i < n; i++) out.set(t, i * t.length);
  return out;
}

/**
 * CPU seconds of each thread of this process so far, by thread id (/proc/self/task/<tid>/schedstat:
 * sum_exec_runtime ns), or null where /proc is not there. A thread that ends between the listing and
 * its read is left out.
 */
export function threadCpuSeconds(): Map<string, number> | null {
  try {
    const m = new Map<string, number>();
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        m.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e9);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return m;
  } catch {
    return null;
  }
}

/** A method as a diagnostic wraps it: any receiver, any arguments (the hooks reach private members). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type HookedMethod = (this: any, ...a: any[]) => any;

/** hookMethod's options. */
export interface HookOptions {
  /**
   * The hook must be called at least once before the diagnostic's checkHooksRan(): for a hook whose
   * count the diagnostic prints as a finding, where 0 would mean the method is no longer on the path.
   */
  mustRun?: boolean;
}

/** The mustRun hooks installed since the last checkHooksRan: `Class.method` and how often each ran. */
const mustRunHooks: { label: string; calls: number }[] = [];

/**
 * Replace method `name` of `target` (a class prototype, or one object) with `wrap(orig)`, for a diagnostic
 * that counts or alters what a method does. Throws when `name` is not a method there (own or inherited):
 * a refactor that moves or renames the method would otherwise leave the hook installed on a name nobody
 * calls, and the diagnostic would print 0 without complaint (bench/_harvestAudit.ts's Pgdat.promoteYoung
 * and hostClear, bench/_seedDiag.ts's Mglru.refault, session 12). A method that still exists but is no
 * longer called on the diagnostic's path is caught only with `{ mustRun: true }` and a checkHooksRan()
 * at the diagnostic's end.
 */
export function hookMethod(
  target: object,
  name: string,
  wrap: (orig: HookedMethod) => HookedMethod,
  opts: HookOptions = {},
): void {
  const t = target as Record<string, unknown>;
  const orig = t[name];
  const ctor = (target as { constructor?: { name?: string } }).constructor;
  const cls = ctor?.name || 'the object';
  if (typeof orig !== 'function') throw new Error(`${name} is not a method of ${cls}: the diagnostic's hook is stale`);
  const w = wrap(orig as HookedMethod);
  if (opts.mustRun !== true) {
    t[name] = w;
    return;
  }
  const rec = { label: `${cls}.${name}`, calls: 0 };
  mustRunHooks.push(rec);
  t[name] = function (this: unknown, ...a: unknown[]): unknown {
    rec.calls++;
    return w.apply(this, a);
  };
}

/**
 * Throws naming every `{ mustRun: true }` hook installed since the last call that ran 0 times (the method
 * exists but the diagnostic's runs never reached it: its counts would print 0 without complaint). Forgets
 * the hooks it checked, thrown or not. A diagnostic calls it once, after its last run.
 */
export function checkHooksRan(): void {
  const idle = mustRunHooks.filter((h) => h.calls === 0).map((h) => h.label);
  mustRunHooks.length = 0;
  if (idle.length > 0)
    throw new Error(`hook(s) never called: ${idle.join(', ')}: the diagnostic's hooks are stale (off its path)`);
}

/**
 * One run on this thread, no worker (the diagnostics' way to hook engine methods): prepareRun for one
 * worker, the core with the replay fast path where selectReplay takes it, its loop to the end. `inspect`
 * sees the core (its actors) after the loop and before close. Returns the run's shared-memory views.
 */
export function runInThread(config: ScenarioConfig, inspect?: (core: SimWorkerCore) => void): SimViews {
  const p = prepareRun(config, {}, 1);
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, { rows: () => {}, progress: () => {} });
  selectReplay(core.actorList, p.config, p.plan);
  core.loop();
  inspect?.(core);
  core.close();
  return attachSimViews(p.buffers);
}

/**
 * One worker's core on this thread, its rows kept (buildResult(p, store.data, store.count, 0) reads them),
 * atomics routed to plain operations on its arena (nothing else touches it): the diagnostics that hook the
 * actors before `core.loop()`. The caller runs the loop and closes the core.
 */
export function loneCore(config: ScenarioConfig): { p: PreparedRun; store: RowStore; core: SimWorkerCore } {
  const p = prepareRun(config, {}, 1);
  const store = new RowStore();
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: (s: number, r: Float64Array[]) => store.put(s, r),
    progress: () => {},
  });
  setAtomicOps(plainArenaOps(core.env.arena.i32, core.env.arena.stats64));
  return { p, store, core };
}

/** The value of `--<name>=<value>` on the command line, or undefined when it is absent. */
export function argFlag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/**
 * The diagnostics' `--kswapd-share=<s>` what-if (bench/_reproBreakdown.ts): kswapd gets only s of a host
 * CPU, as when it shares one with a vCPU thread, so direct reclaim happens. It replaces
 * Pgdat.kswapdShare for this process only: a diagnostic, never a setting. Returns s (1 when absent).
 */
export function kswapdShareWhatIf(announce: boolean): number {
  const share = Number(argFlag('kswapd-share') ?? 1);
  if (!(share > 0 && share <= 1)) throw new Error(`--kswapd-share must be in (0, 1], got ${argFlag('kswapd-share')}`);
  if (share !== 1) {
    hookMethod(Pgdat.prototype, 'kswapdShare', () => () => share);
    if (announce) console.log(`what-if: kswapd share ${share} (diagnostic)`);
  }
  return share;
}
