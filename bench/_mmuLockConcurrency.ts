// Diagnostic (not a bench; issue 7, session 8): for each harvest mode of a reproduction, what the VM's
// virtual kvm->mmu_lock does over the measured window (the client's warm-up + 1 ms to the run's end):
// how many read requests (vCPU faults: user_mem_abort's map, permission and access-flag faults,
// mmu_invalidate_retry's re-check) wait at once, time-weighted; how long the write lock is held per hold
// and per busy period (back-to-back holds, readers blocked throughout by qrwlock's writer preference);
// who waits how long; the share of ops slower than one swap-in (they met a stage-2 fault); how often an
// allocation found the host's free count at or below low / min. Hooks VLock's request methods, Harvester's
// hold end and HostFrames.tryTake in this process only (sync/vlock.ts, kvm/mmuNotifier.ts, mm/hostFrames.ts).
// --hold-extra=<ns>: a probe, never a setting: every locked harvest hold (kvm_age_gfn under the write lock)
// lasts <ns> longer, to see the shape of the convoy when the write lock nears saturation.
//   npx esbuild bench/_mmuLockConcurrency.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_mmuLockConcurrency.mjs && node .cache/bench/_mmuLockConcurrency.mjs [scenario]
//     [--seed=n] [--hold-extra=ns] [--kswapd-share=s]
import { loadavg } from 'node:os';
import * as L from '../engine/core/sim/simLayout.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { memcachedVariants } from './_memcachedVariants.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { HostFrames } from '../engine/core/mm/hostFrames.ts';
import { opBucketUpper } from '../engine/core/sim/opHist.ts';
import { argFlag, hookMethod, kswapdShareWhatIf, runInThread } from './_util.ts';

const flag = argFlag;
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
const holdExtra = Number(flag('hold-extra') ?? 0);
// --kswapd-share=<s>: as in bench/_reproBreakdown.ts (a what-if: kswapd gets s of a host CPU).
kswapdShareWhatIf(true);
if (holdExtra !== 0) {
  hookMethod(
    Harvester.prototype,
    'end',
    (end0) =>
      function (this: { t: number; lockKind: number }): void {
        if (this.lockKind === 1) this.t += holdExtra;
        end0.call(this);
      },
  );
  console.log(`probe: +${holdExtra} ns inside every locked harvest write hold (diagnostic, not a setting)`);
}
let takes = 0;
let atLow = 0;
let atMin = 0;
let clockNow = 0;
let winFrom = 0;
hookMethod(
  HostFrames.prototype,
  'tryTake',
  (take0) =>
    function (this: HostFrames, reserve: number): boolean {
      if (clockNow >= winFrom) {
        takes++;
        const f = this.free();
        if (f <= this.low) atLow++;
        if (f <= this.min) atMin++;
      }
      return take0.call(this, reserve) as boolean;
    },
);

interface Req {
  t: number;
  s: number;
  hold: number;
}
let reads: Req[] = [];
let writes: (Req & { aging: boolean })[] = [];
const proto = VLock.prototype;
hookMethod(
  proto,
  'readReq',
  (readReq0) =>
    function (this: VLock): void {
      clockNow = this.reqT;
      readReq0.call(this);
      reads.push({ t: this.reqT, s: this.grant, hold: this.reqHold });
    },
);
hookMethod(
  proto,
  'writeReq',
  (writeReq0) =>
    function (this: VLock, aging: boolean): void {
      clockNow = this.reqT;
      writeReq0.call(this, aging);
      writes.push({ t: this.reqT, s: this.grant, hold: this.reqHold, aging });
    },
);
hookMethod(
  proto,
  'readFifo',
  (readFifo0) =>
    function (this: VLock, t: number, hold: number): number {
      const s = readFifo0.call(this, t, hold);
      reads.push({ t, s, hold });
      return s;
    },
);

/** Time-weighted distribution of how many of the intervals [from, to) overlap, within [w0, w1). */
function concurrency(iv: { from: number; to: number }[], w0: number, w1: number): number[] {
  const ev: [number, number][] = [];
  for (const x of iv) {
    const a = Math.max(x.from, w0);
    const b = Math.min(x.to, w1);
    if (b > a) ev.push([a, 1], [b, -1]);
  }
  ev.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const at: number[] = [];
  let n = 0;
  let last = w0;
  for (const [x, d] of ev) {
    at[n] = (at[n] ?? 0) + (x - last);
    last = x;
    n += d;
  }
  at[0] = (at[0] ?? 0) + (w1 - last);
  return at.map((v) => v ?? 0);
}

for (const { scenario, harvest, config, warmupMs } of memcachedVariants(seed)) {
  const w0 = (warmupMs > 0 ? warmupMs + 1 : 0) * 1e6;
  const w1 = config.run.durationMs * 1e6;
  reads = [];
  writes = [];
  takes = 0;
  atLow = 0;
  atMin = 0;
  clockNow = 0;
  winFrom = w0;
  const t0 = performance.now();
  const sv = runInThread(config);
  const ops = sv.stats[L.GS_OPS];
  const win = (w1 - w0) / 1e9;
  const rs = reads.filter((x) => x.t >= w0 && x.t < w1);
  const ws = writes.filter((x) => x.t >= w0 && x.t < w1);
  console.log(
    `== ${scenario} ${harvest}: window ${w0 / 1e6}-${w1 / 1e6} ms; wall ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}; whole-run ops ${ops}`,
  );
  const rw = rs.filter((x) => x.s > x.t);
  const rWait = rw.reduce((a, x) => a + (x.s - x.t), 0);
  console.log(
    `read requests ${rs.length} (${(rs.length / win).toFixed(0)}/s), waited ${rw.length}; total read wait ${(rWait / 1e6).toFixed(2)} ms (${((rWait / (64 * (w1 - w0))) * 100).toFixed(4)} % of 64 vCPUs' time)`,
  );
  const cw = concurrency(
    rw.map((x) => ({ from: x.t, to: x.s })),
    w0,
    w1,
  );
  const tot = cw.reduce((a, b) => a + b, 0);
  console.log(
    `readers waiting at once, share of time: ${cw
      .map((v, k) => [k, v] as const)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k}: ${((100 * v) / tot).toPrecision(3)} %`)
      .join(', ')}`,
  );
  const mean = cw.reduce((a, v, k) => a + k * v, 0) / tot;
  console.log(`mean readers waiting ${mean.toFixed(4)}; most ${cw.length - 1}`);
  const longest = rw.reduce((a, x) => Math.max(a, x.s - x.t), 0);
  console.log(`longest read wait ${(longest / 1e3).toFixed(2)} us`);
  // Write holds: count, total, and busy periods (holds that touch within 1 ns merged).
  const wh = ws.map((x) => ({ from: x.s, to: x.s + x.hold, aging: x.aging })).sort((a, b) => a.from - b.from);
  const held = wh.reduce((a, x) => a + (x.to - x.from), 0);
  const byHold = new Map<number, number>();
  for (const x of ws) byHold.set(Math.round(x.hold), (byHold.get(Math.round(x.hold)) ?? 0) + 1);
  console.log(
    `write holds ${ws.length} (${(ws.length / win).toFixed(0)}/s; aging ${ws.filter((x) => x.aging).length}); held ${(held / 1e6).toFixed(1)} ms (${((100 * held) / (w1 - w0)).toFixed(1)} % of the window); hold lengths (ns x count, top 8): ${[
      ...byHold,
    ]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([h, n]) => `${h} x ${n}`)
      .join(', ')}`,
  );
  const busy: number[] = [];
  let cur = -1;
  let end = -Infinity;
  for (const x of wh) {
    if (x.from <= end + 1) {
      end = Math.max(end, x.to);
    } else {
      if (cur >= 0) busy.push(end - cur);
      cur = x.from;
      end = x.to;
    }
  }
  if (cur >= 0) busy.push(end - cur);
  busy.sort((a, b) => a - b);
  const q = (p: number): number => busy[Math.min(busy.length - 1, Math.floor(p * busy.length))];
  console.log(
    `write busy periods ${busy.length}: p50 ${q(0.5).toFixed(0)} ns, p99 ${q(0.99).toFixed(0)}, max ${busy[busy.length - 1].toFixed(0)} ns`,
  );
  const wWait = ws.reduce((a, x) => a + (x.s - x.t), 0);
  // Writers that wait: kswapd and, in direct reclaim, vCPUs (a vCPU thread reclaiming in its own fault).
  const cwW = concurrency(
    ws.filter((x) => x.s > x.t).map((x) => ({ from: x.t, to: x.s })),
    w0,
    w1,
  );
  const totW = cwW.reduce((a, b) => a + b, 0);
  const meanW = cwW.reduce((a, v, k) => a + k * v, 0) / totW;
  const atLeast = (c: number[], k: number): number => c.slice(k).reduce((a, b) => a + b, 0) / totW;
  console.log(
    `write wait total ${(wWait / 1e6).toFixed(2)} ms; writers waiting at once: mean ${meanW.toFixed(3)}, most ${cwW.length - 1}, >= 14 for ${(100 * atLeast(cwW, 14)).toFixed(2)} % of the time; readers + writers waiting >= 14: ${(
      100 *
      atLeast(
        concurrency(
          [...rw, ...ws.filter((x) => x.s > x.t)].map((x) => ({ from: x.t, to: x.s })),
          w0,
          w1,
        ),
        14,
      )
    ).toFixed(2)} %`,
  );
  // Whole-run op histogram (the window's is not separable without a second run): ops over 90 us (one
  // SSD read) met a stage-2 fault or a long wait; over 1 ms, a convoy.
  const oh = sv.opHist.slice(0, L.OH_WORDS);
  let n = 0;
  let over90 = 0;
  let over1ms = 0;
  let sumOver90 = 0;
  for (let b = 0; b < oh.length; b++) {
    n += oh[b];
    const lo = b === 0 ? 0 : opBucketUpper(b - 1);
    if (lo >= 90e3) {
      over90 += oh[b];
      sumOver90 += oh[b] * lo;
    }
    if (lo >= 1e6) over1ms += oh[b];
  }
  console.log(
    `ops over 90 us ${((100 * over90) / n).toFixed(2)} % (mean >= ${(sumOver90 / Math.max(1, over90) / 1e3).toFixed(1)} us), over 1 ms ${((100 * over1ms) / n).toFixed(4)} % (whole run); ops/s in the window ~ ${(ops / (w1 / 1e9)).toFixed(0)} (whole run)`,
  );
  console.log(
    `host frame takes in the window ${takes}: free <= low ${((100 * atLow) / Math.max(1, takes)).toFixed(2)} %, <= min ${((100 * atMin) / Math.max(1, takes)).toFixed(3)} %; stage-2 faults per op (whole run) ${(sv.stats[L.GS_S2_FAULTS] / ops).toFixed(4)}; direct-reclaim evictions ${sv.stats[L.GS_DIRECT_RECLAIM]}; kswapd busy ${(sv.stats[L.GS_KSWAPD_NS] / 1e6).toFixed(0)} ms (whole run)`,
  );
}
