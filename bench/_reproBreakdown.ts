// Diagnostic (not a bench): where a reproduction's op latency and reclaim work go, per variant, over
// the measured window (docs/repro-memcached.md). Each variant runs twice in process, deterministic, to
// the run's end and to the client's warm-up + 1 ms; the counters' difference is the measured window.
//   npx esbuild bench/_reproBreakdown.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_reproBreakdown.mjs && node .cache/bench/_reproBreakdown.mjs [scenario] [what-ifs]
// What-ifs (diagnostics, never settings; docs/repro-memcached.md, session 6):
//   --kswapd-share=<s>          kswapd gets only s of a host CPU (its busy time is stretched by 1/s, as
//                               Pgdat.kswapdShare does on shared nodes): a CPU time-shared with vCPU threads;
//   --watermarks=<min,low,high> the host's watermarks in percent of its memory, instead of the preset's;
//   --seed=<n>                  the run's seed instead of the preset's;
//   --hardware=<id>             another hardware profile (e.g. x86-workstation, reproduce's --profile);
//   --throttle-at-min           throttle_direct_reclaim's allow_direct_reclaim sees free pages min - min/2
//                               lower than the lab's count (an upper bound: as if NR_FREE_PAGES dipped to
//                               min/2 whenever the freelist is at min, e.g. frames on per-CPU lists, which
//                               the lab does not model), so every direct-reclaim entry sleeps on
//                               pfmemalloc_wait until kswapd wakes it.
// Prints the load average with the wall time (figures are virtual, so they do not depend on it).
import { loadavg } from 'node:os';
import path from 'node:path';
import type { ScenarioConfig } from '../engine/protocol.ts';
import { resolveScenario } from '../engine/core/config/resolve.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import { opBucketUpper } from '../engine/core/sim/opHist.ts';
import { VCpu } from '../engine/core/sim/vcpu.ts';
import { loadPresetDir } from '../presets/node.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { WAIT_ISOLATED, WAIT_PFMEMALLOC, type ThrottleWaiter } from '../engine/core/mm/reclaimThrottle.ts';
import { HostFrames } from '../engine/core/mm/hostFrames.ts';
import { argFlag, hookMethod, kswapdShareWhatIf, runInThread } from './_util.ts';

const flag = argFlag;
const share = kswapdShareWhatIf(false);
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
if (seed !== undefined && !Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${flag('seed')}`);
const throttleAtMin = process.argv.includes('--throttle-at-min');
if (throttleAtMin) {
  hookMethod(
    Pgdat.prototype,
    'allowDirectReclaim',
    (allow0) =>
      function (this: Pgdat, t: number): boolean {
        const h = (this as unknown as { host: HostFrames | null }).host;
        if (h === null) return allow0.call(this, t) as boolean;
        const hide = h.min - Math.floor(h.min / 2);
        h.put(-hide);
        const ok = allow0.call(this, t) as boolean;
        h.put(hide);
        return ok;
      },
  );
}
const wm = flag('watermarks')?.split(',').map(Number);
if (wm !== undefined && (wm.length !== 3 || wm.some((x) => !(x >= 0 && x <= 100))))
  throw new Error(`--watermarks must be three percentages min,low,high, got ${flag('watermarks')}`);

// Throttle sleeps (diagnostic hooks on this process's Pgdat/HostFrames, reset per run): each sleep's
// queue, start and end (the sleeper's clock when it runs again: its wake-up or timeout), and the fewest
// free host frames seen after a take.
interface Sleep {
  queue: number;
  from: number;
  to: number;
}
let sleeps: Sleep[] = [];
const asleep = new Map<ThrottleWaiter, { queue: number; from: number }>();
let minFree = Infinity;
let hostWmarks = '';
hookMethod(
  Pgdat.prototype,
  'throttle',
  (throttle0) =>
    function (this: Pgdat, w: ThrottleWaiter, t: number, q = WAIT_ISOLATED): void {
      asleep.set(w, { queue: q, from: t });
      throttle0.call(this, w, t, q);
    },
);
hookMethod(
  Pgdat.prototype,
  'unthrottle',
  (unthrottle0) =>
    function (this: Pgdat, w: ThrottleWaiter): void {
      const a = asleep.get(w);
      if (a !== undefined) {
        sleeps.push({ queue: a.queue, from: a.from, to: w.clock });
        asleep.delete(w);
      }
      unthrottle0.call(this, w);
    },
);
hookMethod(
  HostFrames.prototype,
  'tryTake',
  (take0) =>
    function (this: HostFrames, reserve: number): boolean {
      const ok = take0.call(this, reserve) as boolean;
      if (ok) minFree = Math.min(minFree, this.free());
      hostWmarks = `min ${this.min}, low ${this.low}, high ${this.high} of ${this.total}`;
      return ok;
    },
);

/** Sleeps on `queue` starting in [from, to): count, total, longest, and the most asleep at once. */
function sleepSummary(all: Sleep[], queue: number, from: number, to: number): string {
  const ss = all.filter((x) => x.queue === queue && x.from >= from && x.from < to);
  if (ss.length === 0) return '0';
  const total = ss.reduce((a, x) => a + (x.to - x.from), 0);
  const longest = Math.max(...ss.map((x) => x.to - x.from));
  const ev = ss.flatMap((x) => [[x.from, 1] as const, [x.to, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  let most = 0;
  for (const [, d] of ev) {
    n += d;
    most = Math.max(most, n);
  }
  return `${ss.length} (total ${(total / 1e6).toFixed(3)} ms, longest ${(longest / 1e6).toFixed(3)} ms, at most ${most} asleep at once)`;
}

interface Counters {
  stats: Float64Array;
  lockHist: Float64Array;
  opHist: Float64Array;
  /** mmu_invalidate_retry's -EAGAINs (MmuInvalidate.retries) to the run's end. */
  retries: number;
  /** Throttle sleeps that ended (whole run), and the fewest free frames after a take. */
  sleeps: Sleep[];
  minFree: number;
  /** The VM's virtual lock's booking-order diagnostics (sync/vlock.ts), over the whole run. */
  late: { lateN: number; lateNs: number; lateMaxNs: number; yieldedN: number; yieldedNs: number };
}

function run(config: ScenarioConfig, durationMs: number): Counters {
  const c = {
    ...config,
    run: { ...config.run, durationMs, deterministic: true, ...(seed !== undefined ? { seed } : {}) },
  };
  sleeps = [];
  asleep.clear();
  minFree = Infinity;
  let vcpu: VCpu | undefined;
  const sv = runInThread(c, (core) => {
    vcpu = core.actorList.find((a): a is VCpu => a instanceof VCpu);
  });
  if (vcpu === undefined) throw new Error('no vCPU');
  const { lateN, lateNs, lateMaxNs, yieldedN, yieldedNs } = vcpu.g.vlock;
  const retries = vcpu.g.mmuInvalidate.retries;
  // Guest 0 only: the reproductions have one guest.
  return {
    stats: sv.stats.slice(0, L.GS_WORDS),
    lockHist: sv.lockHist.slice(0, L.LH_WORDS),
    opHist: sv.opHist.slice(0, L.OH_WORDS),
    retries,
    sleeps,
    minFree,
    late: { lateN, lateNs, lateMaxNs, yieldedN, yieldedNs },
  };
}

const minus = (a: Float64Array, b: Float64Array): Float64Array => a.map((x, i) => x - b[i]);

function percentile(h: Float64Array, p: number): number {
  const n = h.reduce((a, b) => a + b, 0);
  let cum = 0;
  for (let b = 0; b < h.length; b++) {
    cum += h[b];
    if (cum >= p * n) return opBucketUpper(b);
  }
  return Number.NaN;
}

/** A log2 histogram as "count x [lo, hi) ns" for its non-empty buckets. */
function hist(h: Float64Array, kind: number): string {
  const out: string[] = [];
  for (let b = 0; b < L.LH_BUCKETS; b++) {
    const n = h[kind * L.LH_BUCKETS + b];
    if (n > 0) out.push(`${n} x ${b === 0 ? '<1' : `${2 ** (b - 1)}-${2 ** b}`}`);
  }
  return out.join(', ');
}

const presets = loadPresetDir(path.join(process.cwd(), 'presets'));
const scenario = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'repro-memcached-arm64';
if (share !== 1 || wm !== undefined || throttleAtMin)
  console.log(
    `what-if: kswapd share ${share}${wm ? `, watermarks ${wm.join(' / ')} %` : ''}${throttleAtMin ? ', throttle at min' : ''} (diagnostic)`,
  );
if (seed !== undefined) console.log(`seed ${seed}`);
for (const harvest of ['locked-write', 'lockless'] as const) {
  const hardware = flag('hardware');
  const r = resolveScenario(presets.set, scenario, hardware === undefined ? { harvest } : { harvest, hardware });
  if (!r.ok) throw new Error(r.error.message);
  const config =
    wm === undefined
      ? r.value
      : { ...r.value, host: { ...r.value.host, watermarks: { minPct: wm[0], lowPct: wm[1], highPct: wm[2] } } };
  const wl = config.guests[0].workload;
  const warmupMs = 'client' in wl && wl.client ? (wl.client.warmupMs ?? 0) : 0;
  // Without a client warm-up (the max_guest_memory sweeps) the window is the whole run.
  const fromMs = warmupMs > 0 ? warmupMs + 1 : 0;
  const t0 = performance.now();
  const full = run(config, config.run.durationMs);
  const warm: Counters =
    fromMs > 0
      ? run(config, fromMs)
      : {
          ...full,
          stats: full.stats.map(() => 0),
          lockHist: full.lockHist.map(() => 0),
          opHist: full.opHist.map(() => 0),
          retries: 0,
          sleeps: [],
        };
  const s = minus(full.stats, warm.stats);
  const oh = minus(full.opHist, warm.opHist);
  const lh = minus(full.lockHist, warm.lockHist);
  const windowS = (config.run.durationMs - fromMs) / 1000;
  const ops = s[L.GS_OPS];
  const faults = s[L.GS_S2_FAULTS];
  const reads = lh.slice(L.LH_READ_HOLD * L.LH_BUCKETS, (L.LH_READ_HOLD + 1) * L.LH_BUCKETS).reduce((a, b) => a + b, 0);
  const vcpuWait = s[L.GS_LOCK_WAIT_NS] - s[L.GS_KSWAPD_WRITE_WAIT_NS];
  console.log(
    `== ${scenario} ${harvest}: window ${fromMs}-${config.run.durationMs} ms; wall ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `ops ${ops} (${(ops / windowS).toFixed(0)}/s), average ${(s[L.GS_OP_NS] / ops / 1e3).toFixed(2)} us; whole run p50 / p99 / p99.9 ${[0.5, 0.99, 0.999].map((p) => (percentile(full.opHist, p) / 1e3).toFixed(1)).join(' / ')} us`,
  );
  // Ops from 1 ms up, and the connections they hold on average (at least: each counted at its bucket's
  // lower bound): the published before's p99.9 (22.5 ms) holds >= 14.4 of 64 (docs/repro-memcached.md).
  let slow = 0;
  let slowNs = 0;
  for (let b = 1; b < oh.length; b++) {
    const lo = opBucketUpper(b - 1);
    if (lo < 1e6) continue;
    slow += oh[b];
    slowNs += oh[b] * lo;
  }
  console.log(
    `window p99 / p99.9 ${[0.99, 0.999].map((p) => (percentile(oh, p) / 1e3).toFixed(1)).join(' / ')} us; ops over 1 ms ${slow} (${((100 * slow) / ops).toFixed(4)} %, holding >= ${(slowNs / (windowS * 1e9)).toFixed(2)} connections on average)`,
  );
  console.log(
    `stage-2 faults ${faults} (${(faults / ops).toFixed(4)} per op; refaults ${s[L.GS_REFAULTS]}, swap reads ${s[L.GS_SWAP_READS]}, readahead hits ${s[L.GS_RA_HITS]}, writeback waits ${s[L.GS_WB_FAULTS]}); permission faults ${s[L.GS_PERM_FAULTS]}`,
  );
  const retries = full.retries - warm.retries;
  console.log(
    `mmu_invalidate_retry -EAGAINs ${retries} (${(retries / Math.max(1, faults)).toFixed(3)} per stage-2 fault, ${(retries / ops).toFixed(4)} per op); vCPU stall ${(s[L.GS_STALL_NS] / 1e6).toFixed(2)} ms`,
  );
  console.log(
    `evictions ${s[L.GS_EVICTIONS]} (by direct reclaim ${s[L.GS_DIRECT_RECLAIM]}); folios checked under the write lock ${s[L.GS_FOLIOS_CONSIDERED]}; young found ${s[L.GS_YOUNG_FOUND]}; throttled ${s[L.GS_THROTTLED]}`,
  );
  // SSD swap writes (GS_WB_PAGES: pageout's bios) and the evictions that needed none (a clean private-anon
  // folio still in the swap cache: mm/swapIn.ts keepsSwapSlot), per op and per second of the window.
  const writes = s[L.GS_WB_PAGES];
  console.log(
    `swap writes ${writes} (${(writes / windowS).toFixed(0)}/s); evictions without I/O ${s[L.GS_EVICTIONS] - writes}; permission faults per op ${(s[L.GS_PERM_FAULTS] / ops).toFixed(4)}`,
  );
  console.log(
    `vCPU MMU-lock wait ${(vcpuWait / 1e6).toFixed(2)} ms (${(vcpuWait / Math.max(1, reads)).toFixed(1)} ns per read acquisition; behind aging holds ${(s[L.GS_LOCK_WAIT_AGING_NS] / 1e6).toFixed(3)} ms)`,
  );
  console.log(
    `kswapd busy ${(s[L.GS_KSWAPD_NS] / 1e6).toFixed(1)} ms, in write-lock wait ${(s[L.GS_KSWAPD_WRITE_WAIT_NS] / 1e6).toFixed(1)} ms`,
  );
  console.log(
    `throttled on pfmemalloc_wait (throttle_direct_reclaim) ${s[L.GS_PFMEMALLOC_THROTTLED]}, asleep ${(s[L.GS_PFMEMALLOC_NS] / 1e6).toFixed(3)} ms (whole run ${full.stats[L.GS_PFMEMALLOC_THROTTLED]}, ${(full.stats[L.GS_PFMEMALLOC_NS] / 1e6).toFixed(3)} ms); sleeps starting in the window: pfmemalloc ${sleepSummary(full.sleeps, WAIT_PFMEMALLOC, fromMs * 1e6, Infinity)}; isolated ${sleepSummary(full.sleeps, WAIT_ISOLATED, fromMs * 1e6, Infinity)}`,
  );
  console.log(`fewest free host frames after a take (whole run): ${full.minFree} (watermarks, frames: ${hostWmarks})`);
  const late = full.late;
  console.log(
    `MMU-lock requests booked after a later-arriving one (whole run): ${late.lateN} (mean ${(late.lateNs / Math.max(1, late.lateN)).toFixed(0)} ns, max ${late.lateMaxNs.toFixed(0)} ns earlier than the latest booked); moved past a later-arriving writer: ${late.yieldedN} (${(late.yieldedNs / 1e6).toFixed(3)} ms)`,
  );
  console.log(`write holds: ${hist(lh, L.LH_WRITE_HOLD)}`);
  console.log(`read holds: ${hist(lh, L.LH_READ_HOLD)}`);
  console.log(`read waits: ${hist(lh, L.LH_READ_WAIT)}`);
  console.log(`write waits: ${hist(lh, L.LH_WRITE_WAIT)}`);
}
