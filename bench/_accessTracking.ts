// Diagnostic (not a bench; issue 7, session 10): the lab's virtual kvm->mmu_lock (sync/vlock.ts, qrwlock:
// a waiting writer blocks new readers, a writer waits for the readers inside to drain) against a second
// sourced anchor, James Houghton's `access_tracking_perf_test -p -l -b 1G -v N` (lore.kernel.org/r/
// 20240529180510.2295118-1-jthoughton@google.com, x86 TDP MMU, THP off): MGLRU aging passes run in a loop
// (lru_gen_do_aging_quiet) while N vCPUs fault in 1 GiB each (memstress, first writes: every access is a
// stage-2 fault, kvm_tdp_mmu_map under read_lock(&kvm->mmu_lock)). "no opt": every host PTE the walk
// visits costs one notifier call that takes the lock for write (walk_pte_range -> lru_gen_notifier_
// test_young / clear_young -> kvm_handle_hva_range -> KVM_MMU_LOCK, one page per call; v4 patch 2/7);
// "opt": the same call without the lock (x86 kvm_test_age_gfn / kvm_age_gfn under RCU, v4 patch 5/7).
//
// Published (per N: vcpu wall time with no aging, aging avg pass time no opt / opt):
//   N=1 0.879 s, 8.2 / 7.3 ms; 2: 0.985, 18.0 / 14.0 ms; 4: 1.265, 56.2 / 29.3 ms; 8: 1.474, 0.227 / 0.064 s;
//   16: 2.049, 1.247 / 0.122 s; 32: 3.316, 4.347 / 0.251 s; 64: 6.499, 9.816 / 1.393 s; 112: 8.498, 13.47 / 2.29 s.
// The locked pass grows super-linearly (its ratio to the lockless pass: 1.13 at N=1, 17.3 at N=32).
//
// What this runs: the test's shape in virtual time on one VLock, every request booked in arrival order (the
// actor with the earliest next request goes first, so the grants are an event-ordered qrwlock's):
// - N vCPUs, each faulting its pages in order: non-lock work g, then a read hold h (the map). g comes from
//   the published no-aging wall time (wall / 262,144 - h: derived, the fault's serial time per vCPU), drawn
//   uniform in [0.5 g, 1.5 g] per fault;
// - one aging thread: passes over every vCPU's mapped prefix (pages whose fault has completed); per
//   visited page b ns outside the lock (derived from the published N=1 opt pass: 7.31 ms over the
//   ~131 k pages mapped on average while 1 GiB fills, ~56 ns), and in "no opt" a write hold hw inside it.
// The lab's fault read hold (x86-workstation profile): h = lockAcquire + cmpxchg (kvm/mapLocked.ts mapHoldNs, no
// CMO on x86) = 60 ns. The lab's per-call lookup (4 x walkLevel + pteScan = 63 ns) exceeds the whole
// published per-page cost (~56 ns), so the aging side is taken from the published N=1 passes instead:
// hw = half of b (the secondary lookup's share, estimate) + 7 ns (the locked call's extra at N=1).
// Memory is scaled by 1/512 (512 pages per vCPU; AT_PAGES=<n> changes it); pass times are scaled back.
// `--read-hold=<ns>` / `--write-hold=<ns>` replace h / hw: a probe, never a setting.
// `--admit=<ns>`: see ADMIT below (a probe, never a setting).
//   npx esbuild bench/_accessTracking.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_accessTracking.mjs && node .cache/bench/_accessTracking.mjs [--read-hold=ns]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { VLock, vclock } from '../engine/core/sync/vlock.ts';

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const hw0 = JSON.parse(readFileSync(path.resolve('presets/hardware/x86-workstation.json'), 'utf8')) as {
  costs: Record<string, { ns: number }>;
};
const c = (k: string): number => hw0.costs[k].ns;
const READ_HOLD = Number(flag('read-hold') ?? c('lockAcquire') + c('cmpxchg'));
const B = 7.314582e6 / (262144 / 2); // derived: ns per mapped page of the N=1 opt pass
// The secondary lookup's share of B (srcu, memslot interval tree, TDP walk): estimate, half. The write hold
// is that share plus what the locked call adds at N=1 (8.236 - 7.315 ms over the same ~131 k pages: 7 ns).
const LOOKUP_SHARE = B / 2;
const WRITE_HOLD = Number(flag('write-hold') ?? LOOKUP_SHARE + (8.236007e6 - 7.314582e6) / (262144 / 2));
// A pass's fixed cost (estimate): the debugfs write, the mm-list iteration; also lets an empty pass end.
const PASS_NS = 10_000;
// Reader admission (VLock.admitNs, kernel/locking/qrwlock.c queued_read_lock_slowpath): the readers queued
// behind one writer are admitted one after another from its release. The lab sets it to the profile's
// lockAcquire (buildGuest, 40 ns: the handoff's atomics, no line transfers); `--admit=<ns>` probes another
// value (a contended handoff is a wait_lock transfer plus a cnts update, estimate ~100-300 ns), never a setting.
const ADMIT = Number(flag('admit') ?? c('lockAcquire'));
const FULL = 262144; // 1 GiB of 4 KiB pages per vCPU
if (!(Number.isInteger(Number(process.env.AT_PAGES ?? 512)) && Number(process.env.AT_PAGES ?? 512) > 0))
  throw new Error(`AT_PAGES must be a positive integer, got ${process.env.AT_PAGES}`);
const PAGES = Number(process.env.AT_PAGES ?? 512); // scaled: 1/512 of 1 GiB by default
const SCALE = FULL / PAGES;

interface Pub {
  n: number;
  wall: number;
  noOpt: number;
  opt: number;
  wallNoOpt: number;
  wallOpt: number;
}
const PUB: Pub[] = [
  { n: 1, wall: 0.878822016, noOpt: 0.008236007, opt: 0.007314582, wallNoOpt: 0.938250568, wallOpt: 0.91227019 },
  { n: 2, wall: 0.984959659, noOpt: 0.017989741, opt: 0.013996319, wallNoOpt: 1.057880728, wallOpt: 1.037735641 },
  { n: 4, wall: 1.264881581, noOpt: 0.056164918, opt: 0.029311993, wallNoOpt: 1.318849182, wallOpt: 1.314653465 },
  { n: 8, wall: 1.473883699, noOpt: 0.227419586, opt: 0.06385774, wallNoOpt: 1.589441079, wallOpt: 1.498439592 },
  { n: 16, wall: 2.048766096, noOpt: 1.247142841, opt: 0.121628689, wallNoOpt: 2.399335597, wallOpt: 2.000914001 },
  { n: 32, wall: 3.316256321, noOpt: 4.347290433, opt: 0.250886289, wallNoOpt: 3.955417018, wallOpt: 3.355274507 },
  { n: 64, wall: 6.498958516, noOpt: 9.815592054, opt: 1.39290701, wallNoOpt: 7.127533884, wallOpt: 6.442582168 },
  { n: 112, wall: 8.498029491, noOpt: 13.47381656, opt: 2.29222385, wallNoOpt: 10.21372495, wallOpt: 8.896963554 },
];

interface Result {
  passNs: number;
  vcpuWallNs: number;
  writeWaitPerCall: number;
  readWaitPerFault: number;
  readsPerSec: number;
}

/** One run of the test's -p mode at N vCPUs; locked: the aging's per-page call takes the write lock. */
function run(n: number, wallPerFault: number, locked: boolean, h: number, hw: number): Result {
  vclock.floor = 0;
  vclock.others = Infinity;
  const lock = new VLock(0);
  lock.admitNs = ADMIT;
  const g = wallPerFault - h;
  const mappedAt = new Float64Array(n * PAGES).fill(Infinity);
  // Each vCPU's clock at its next request (the non-lock work done). The work per fault is drawn uniform in
  // [0.5 g, 1.5 g] (seeded): vCPUs with one fixed g would fault in lockstep, their read holds piled on one
  // another, and the lock would look free most of the time.
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const vt = new Float64Array(n);
  for (let i = 0; i < n; i++) vt[i] = g * (0.5 + rnd());
  const vk = new Int32Array(n); // next page per vCPU
  let done = 0;
  let readWait = 0;
  let vcpuWall = 0;
  // Aging: clock, position (vCPU region, page), passes, write wait.
  let at = 0;
  let ai = 0;
  let aj = 0;
  let passes = 0;
  let writeWait = 0;
  let calls = 0;
  const bOut = locked ? B - LOOKUP_SHARE : B; // in "no opt" the lookup is inside the hold
  for (;;) {
    // The vCPU with the earliest read request.
    let vi = -1;
    let vreq = Infinity;
    for (let i = 0; i < n; i++) {
      if (vk[i] < PAGES && vt[i] < vreq) {
        vreq = vt[i];
        vi = i;
      }
    }
    // The aging thread's next request is at `at + bOut`; every vCPU request at or before it goes first
    // (its map may complete before the aging thread looks at the page).
    const areq = at + bOut;
    vclock.floor = Math.min(vreq, at);
    if (vi >= 0 && vreq <= areq) {
      const s = lock.read(vreq, h, false);
      readWait += s - vreq;
      const end = s + h;
      mappedAt[vi * PAGES + vk[vi]] = end;
      vt[vi] = end + g * (0.5 + rnd());
      if (++vk[vi] === PAGES) {
        done++;
        if (end > vcpuWall) vcpuWall = end;
      }
      continue;
    }
    // Skip unmapped tails (faults go in order, so a region's mapped pages are a prefix) until a mapped
    // page or the pass's end.
    while (ai < n && !(mappedAt[ai * PAGES + aj] <= areq)) {
      ai++;
      aj = 0;
    }
    if (ai === n) {
      passes++;
      if (done === n) break;
      ai = 0;
      aj = 0;
      at += PASS_NS;
      continue;
    }
    {
      calls++;
      if (locked) {
        const s = lock.write(areq, hw, true);
        writeWait += s - areq;
        at = s + hw;
      } else at = areq;
      if (++aj === PAGES) {
        ai++;
        aj = 0;
      }
    }
  }
  const faults = n * PAGES;
  return {
    passNs: ((at - passes * PASS_NS) / passes) * SCALE + PASS_NS,
    vcpuWallNs: vcpuWall * SCALE,
    writeWaitPerCall: calls ? writeWait / calls : 0,
    readWaitPerFault: readWait / faults,
    readsPerSec: faults / (vcpuWall / 1e9),
  };
}

console.log(
  `read hold h ${READ_HOLD} ns, write hold hw ${WRITE_HOLD.toFixed(1)} ns, reader admission ${ADMIT} ns, aging per page outside the lock ${B.toFixed(1)} ns ` +
    `(locked: ${(B - LOOKUP_SHARE).toFixed(1)} + hold); 1/${SCALE} of the memory`,
);
console.log(
  'N    faults/s | pass no-opt / opt (s): lab          published      | ratio lab / pub  | ' +
    'write wait/call  read wait/fault | vcpu wall no-opt/opt lab (pub)',
);
for (const p of PUB) {
  const perFault = (p.wall / FULL) * 1e9;
  const L = run(p.n, perFault, true, READ_HOLD, WRITE_HOLD);
  const U = run(p.n, perFault, false, READ_HOLD, WRITE_HOLD);
  console.log(
    `${String(p.n).padStart(3)} ${(L.readsPerSec / 1e6).toFixed(2).padStart(6)} M | ` +
      `${(L.passNs / 1e9).toFixed(3).padStart(7)} / ${(U.passNs / 1e9).toFixed(3).padStart(6)}   ` +
      `${p.noOpt.toFixed(3).padStart(7)} / ${p.opt.toFixed(3).padStart(6)} | ` +
      `${(L.passNs / U.passNs).toFixed(2).padStart(6)} / ${(p.noOpt / p.opt).toFixed(2).padStart(6)} | ` +
      `${L.writeWaitPerCall.toFixed(1).padStart(8)} ns ${L.readWaitPerFault.toFixed(1).padStart(10)} ns   | ` +
      `${(L.vcpuWallNs / 1e9).toFixed(3)} / ${(U.vcpuWallNs / 1e9).toFixed(3)} ` +
      `(${p.wallNoOpt.toFixed(3)} / ${p.wallOpt.toFixed(3)})`,
  );
}

/**
 * The same lock traffic at a steady rate for a fixed virtual time: n vCPUs each requesting a read hold h
 * every vGap ns on average (uniform in [0.5, 1.5] of it), one writer requesting a write hold hw every wGap
 * ns of its own work after its last release (same jitter). The writer's and readers' mean wait per request.
 */
function runSteady(n: number, vGap: number, h: number, wGap: number, hw: number, dur: number): [number, number] {
  vclock.floor = 0;
  vclock.others = Infinity;
  const lock = new VLock(0);
  lock.admitNs = ADMIT;
  let seed = 777;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const vt = new Float64Array(n);
  for (let i = 0; i < n; i++) vt[i] = vGap * (0.5 + rnd());
  let at = wGap * (0.5 + rnd());
  let rw = 0;
  let rn = 0;
  let ww = 0;
  let wn = 0;
  for (;;) {
    let vi = 0;
    for (let i = 1; i < n; i++) if (vt[i] < vt[vi]) vi = i;
    const vreq = vt[vi];
    if (Math.min(vreq, at) > dur) break;
    vclock.floor = Math.min(vreq, at);
    if (vreq <= at) {
      const s = lock.read(vreq, h, false);
      rw += s - vreq;
      rn++;
      vt[vi] = s + h + vGap * (0.5 + rnd());
    } else {
      const s = lock.write(at, hw, true);
      ww += s - at;
      wn++;
      at = s + hw + wGap * (0.5 + rnd());
    }
  }
  return [ww / wn, rw / rn];
}

// The memcached reproduction's "before" lock traffic (bench/_reproBreakdown.ts, _mmuLockConcurrency.ts, seed 1,
// measured second, main bda18d7): 135,542 read requests/s from 64 vCPUs (faults' map holds 256-512 ns, the
// Altra profile's 460; permission faults and re-checks 32-64 ns: taken at 460, an upper bound), 948,737
// kvm_age_gfn write holds/s of 205 ns from kswapd (its other write holds, 71 k unmaps, left out). Against
// that, Houghton's N=32 read rate (2.5 M/s) with the same holds. The lab's engine measured for the before:
// kswapd 12.2 ms in write-lock wait over 1.09 M write holds (11 ns each), vCPUs 203 ns per read acquisition.
console.log('\nsteady traffic, 20 ms virtual: writer wait per write request / reader wait per read request');
for (const [label, reads, writes] of [
  ['memcached before (lab rates)', 135542, 948737],
  ['Houghton-like read rate, same writer', 2.5e6, 948737],
] as const) {
  const vGap = 64 / (reads / 1e9);
  const wGap = 1e9 / writes - 205;
  const [w, r] = runSteady(64, vGap, 460, wGap, 205, 20e6);
  console.log(
    `${label.padEnd(38)} ${w.toFixed(1).padStart(7)} ns / ${r.toFixed(1).padStart(7)} ns  (reader admission ${ADMIT} ns)`,
  );
}
