// Diagnostics (not a bench; issue 8, session 16 a): the MGLRU state of the host lruvec per window of virtual
// time, in the deterministic run (d1: one SimWorkerCore) and in the spread plan run on ONE thread (1t: both
// workers' quanta in turn, worker order alternating, no real-time races: bench/_parallelDrift.ts), same seed,
// side by side, to find the first window where the two diverge and which quantity diverges first.
// Per window and mode: accesses (and per guest), hit %, stage-2 faults per guest, evictions per guest,
// refaults, min_seq..max_seq, the pages per generation (oldest first) and per guest per generation
// (folio_lru_gen, i.e. the tags after lazy promotion, k pages), aging passes begun, no-walk generations (the
// agingIntervalMs what-if's iterate_mm_list_nowalk), inc_min_seq folds, walk steps, joinWalk calls, promotions
// (folio_update_gen), activations, protections, pickVictim calls (kswapd / direct), victims, -1 and SCAN_AGAIN
// answers, folio_referenced checks and young answers, free frames at the window's end (min 1,730 / low 3,460 /
// high 6,920 in this scenario). The last line names the first window whose accesses, per-guest evictions,
// refaults, passes, no-walk generations, folds, promotions or activations differ between the modes.
// Env: MS (600), SEED (1), WIN (25 ms), MODES (d1,1t), GUESTS (4), FROM/TO (ms: print only windows in
// [FROM, TO]), POLICY; 1t only: W0WEIGHT (the plan's worker-0 vCPU weight), AFFINE=1 (whole guests, first half on
// worker 0), MAP=0,1,1,1 (every vCPU of guest g on worker MAP[g]), SPLIT=0,3 (only those guests on both workers,
// the others whole on worker g % 2), QNS (quantum ns), PERW=1 (per-worker MMU-lock calendars), NOBUDGET=1 (no
// per-worker frame budgets), DVMSHARE=1 (one DVM calendar for both workers), BUDGETLIVE=1 (what-if: budgets split
// by running vCPUs, not takes), SHAREINV=1 (what-if: every invalidation recorded in every worker's MmuInvalidate of
// the VM); DVMFREE=1 (all modes: no DVM queue). GUESTTIME=1: per guest stall, lock wait, pressure (ms), its vCPUs'
// direct-reclaim evictions and its mmu_invalidate retries; WORKERS=1: per worker direct-reclaim us per eviction,
// MMU-lock write and DVM waits within it. Session 17 (a): FRAMES=1, STEAL=1, TRACE=t0,t1 (_mglruWindowsFrames.ts:
// frame takes, fails and the frees they came from; an empty budget taking from the other's; budgets and suspended
// vCPUs per quantum); MISSED=1, BUSY=1, LOCKW=1, DUMP=t0,t1, ARRIVE=1, SETTLEARR=1 (_mglruWindowsLock.ts: retry
// checks, invalidations, MMU-lock waits per VM and worker; the qrwlock arrival-order what-ifs). Session 18 (a): with
// LOCKW=1 the reads by hold (check-only / map) and settle's kept reads against the writer queue rebuilt in arrival
// order; QUEUE=1 (what-if: settle charges that queue's wait), RECEND=1 (its upper bound): _mglruWindowsQueue.ts.
//
// Session 16 (a), seed 1, 600 ms, 4 guests, main ff04106 (figures in docs/ARCHITECTURE.md, session 16 (a)):
// - d1 92.602 %, 1t 98.164 % (g0 16.47 M accesses, 99.50 %). The MGLRU machinery runs alike in both: 8 passes
//   each, no no-walk generation, no inc_min_seq fold, the same seq ranges window by window (1..3 to 300 ms,
//   3..5 to 400 ...), and in both the guests' eviction shares follow their shares of the oldest generation. The
//   first window that differs is 0-25 ms: d1's 64 direct reclaimers join kswapd's first walk (joinWalk,
//   one-worker runs only) and its generation opens at ~100 ms against 1t's ~130 ms. Not the runaway: AFFINE=1
//   has no join either and lands at 92.574 % (-0.03 pp).
// - The per-guest split of the oldest generation then drifts in 1t only (150 ms: g0 55.2 k of 231 k, 275 ms: 7.6
//   of 63 k), following per-guest fault throughput (s2f per 25 ms at 175 ms d1 ~2.6-2.9 k each; 1t g0 above).
// - Which worker a guest's vCPUs sit on decides it: MAP=0,1,1,1 (g0 alone on worker 0, 16 vCPUs against 48) and
//   MAP=1,0,0,0 both run g0 away from the first window after the stall (125-150 ms: g0 4,759 stage-2 faults
//   against 1,112-1,394 per other guest); SPLIT=0 (worker 0: 23 vCPUs) runs away with g0 and g2, SPLIT=3 (worker
//   1: 25) with g1: the guests on the lighter worker win. Kept with NOBUDGET=1 and with PERW=1 (stronger: the
//   heavy worker's guests starve), with DVMSHARE=1 (no change), halved not removed with QNS=50000 (g0 4,320
//   faults against 1,809-1,973). AFFINE=1 (32 / 32 vCPUs): seeds 1/2/3 -0.03/+1.95/+0.01 pp; the plan at
//   QNS=10000: +0.4/+1.6/+3.2 pp: both weaken the loop, neither removes it on every seed.
import path from 'node:path';
import { prepareRun, RowStore } from '../engine/core/sim/run.ts';
import { SimWorkerCore } from '../engine/core/sim/simCore.ts';
import {
  CTL_DONE,
  GS_ACCESSES,
  GS_HITS,
  GS_EVICTIONS,
  GS_REFAULTS,
  GS_S2_FAULTS,
  GS_DIRECT_RECLAIM,
  GS_STALL_NS,
  GS_LOCK_WAIT_NS,
  GS_PRESSURE_NS,
  GS_WORDS,
  TIME_QUANTUM_END,
} from '../engine/core/sim/simLayout.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario, hookMethod } from './_util.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { registerInvalidates, resetRetries, retryLine, setWorker, workerLine } from './_mglruWindowsHooks.ts';
import { busyLine, lockLine, missedLine, settleLine, setQuantumStart } from './_mglruWindowsLock.ts';
import { settledLine } from './_mglruWindowsQueue.ts';
import { framesLine, framesReset, framesWorker, trace, traceLine } from './_mglruWindowsFrames.ts';
import { setReclaimWorkerVcpuWeight } from '../engine/core/sim/plan.ts';
import { GEN_MASK, MAX_SEQ, MIN_SEQ, NR_PAGES } from '../engine/core/mm/policy/mglruConsts.ts';

const root = process.cwd();
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const GUESTS = Number(process.env.GUESTS ?? 4);
const MS = Number(process.env.MS ?? 600);
const SEED = Number(process.env.SEED ?? 1);
const WIN = Number(process.env.WIN ?? 25);
const FROM = Number(process.env.FROM ?? 0);
const TO = Number(process.env.TO ?? Infinity);
const MODES = (process.env.MODES ?? 'd1,1t').split(',');
const P = 65536 * (4 / GUESTS);

// ---- event counters (per window; reset at each window's print) ----
const C = {
  pickK: 0,
  pickD: 0,
  victimK: 0,
  victimD: 0,
  none: 0,
  again: 0,
  passes: 0,
  noWalk: 0,
  fold: 0,
  steps: 0,
  promote: 0,
  activate: 0,
  protect: 0,
  refChecks: 0,
  refYoung: 0,
  join: 0,
};
type Counters = typeof C;
let mg: Mglru | null = null;
let pg: Pgdat | null = null;
/* eslint-disable @typescript-eslint/no-explicit-any */
/** The lruvec (Mglru) and node (Pgdat) the run's first victim pick used: read at each window's end. */
function capture(m: Mglru, r: Pgdat): void {
  mg ??= m;
  pg ??= r;
}
hookMethod(
  Mglru.prototype,
  'pickVictim',
  (orig) =>
    function (this: any, r: any, inline: boolean) {
      capture(this, r);
      const k = r.kswapd === true;
      if (k) C.pickK++;
      else C.pickD++;
      const v = orig.call(this, r, inline) as number;
      if (v >= 0) {
        if (k) C.victimK++;
        else C.victimD++;
      } else if (v === -1) C.none++;
      else C.again++;
      return v;
    },
);
const count = (name: string, key: keyof Counters): void =>
  hookMethod(
    Mglru.prototype,
    name,
    (orig) =>
      function (this: any, ...a: unknown[]) {
        C[key]++;
        return orig.apply(this, a);
      },
  );
count('beginAging', 'passes');
count('incMaxSeqNoWalk', 'noWalk');
count('incMinSeq', 'fold');
count('ageStep', 'steps');
count('promote', 'promote');
count('activate', 'activate');
count('protect', 'protect');
count('joinWalk', 'join');
hookMethod(
  Pgdat.prototype,
  'referenced',
  (orig) =>
    function (this: any, id: number, p: unknown) {
      const y = orig.call(this, id, p) as boolean;
      C.refChecks++;
      if (y) C.refYoung++;
      return y;
    },
);

function scenario(workers: number): ReturnType<typeof vcpus64Scenario> {
  const c = vcpus64Scenario(hw, GUESTS, workers, MS, true, SEED);
  if (process.env.POLICY) c.reclaim.policy = process.env.POLICY as typeof c.reclaim.policy;
  return c;
}

const TIME_KEYS = [GS_STALL_NS, GS_LOCK_WAIT_NS, GS_PRESSURE_NS, GS_DIRECT_RECLAIM];
const prevT: number[] = [];

/** One window's figures as strings (one row per mode). */
type Row = { t: number; line: string; key: number[] };

function windowRow(stats: Float64Array, prev: number[], t: number): Row {
  const acc = [0, 0];
  const ev: number[] = [];
  const ga: number[] = [];
  const gf: number[] = [];
  let rf = 0;
  for (let g = 0; g < GUESTS; g++) {
    const b = g * GS_WORDS;
    ga.push(stats[b + GS_ACCESSES] - prev[5 * g]);
    acc[0] += stats[b + GS_ACCESSES] - prev[5 * g];
    acc[1] += stats[b + GS_HITS] - prev[5 * g + 1];
    ev.push(stats[b + GS_EVICTIONS] - prev[5 * g + 2]);
    rf += stats[b + GS_REFAULTS] - prev[5 * g + 3];
    gf.push(stats[b + GS_S2_FAULTS] - prev[5 * g + 4]);
    prev[5 * g] = stats[b + GS_ACCESSES];
    prev[5 * g + 1] = stats[b + GS_HITS];
    prev[5 * g + 2] = stats[b + GS_EVICTIONS];
    prev[5 * g + 3] = stats[b + GS_REFAULTS];
    prev[5 * g + 4] = stats[b + GS_S2_FAULTS];
  }
  let gens = '-';
  let perGuest = '';
  let seqs = '-';
  if (mg !== null) {
    const m = mg as any;
    const st: Float64Array = m.state;
    const minS = st[MIN_SEQ];
    const maxS = st[MAX_SEQ];
    seqs = `${minS}..${maxS}`;
    const np: number[] = [];
    for (let s = minS; s <= maxS; s++) np.push(st[NR_PAGES + (s & GEN_MASK)]);
    gens = np.join('/');
    // Per guest, per generation (oldest first): folio_lru_gen of every page on the lists.
    const cnt = Array.from({ length: GUESTS }, () => new Array<number>(maxS - minS + 1).fill(0));
    const list = m.list;
    for (let id = m.first; id < m.end; id++) {
      if (!list.linked(id)) continue;
      const s = m.seqOf(id) as number;
      cnt[Math.floor((id - m.first) / P)][s - minS]++;
    }
    perGuest = cnt.map((c, g) => `g${g} ${c.map((x) => (x / 1e3).toFixed(1)).join('/')}`).join(' ');
  }
  // GUESTTIME=1: per guest, the window's vCPU stall, MMU-lock wait (every waiter on its lock), pressure and
  // DVM wait (ms, summed over its vCPUs).
  let times = '';
  if (process.env.GUESTTIME) {
    times =
      ' | stall/lockWait/pressure ms, direct-reclaim evictions by its vCPUs ' +
      Array.from({ length: GUESTS }, (_, g) =>
        TIME_KEYS.map((k, j) => {
          const v = stats[g * GS_WORDS + k];
          const d = v - prevT[TIME_KEYS.length * g + j];
          prevT[TIME_KEYS.length * g + j] = v;
          return (k === GS_DIRECT_RECLAIM ? d : d / 1e6).toFixed(0);
        }).join('/'),
      ).join(' ') +
      retryLine(GUESTS);
  }
  const free = pg !== null && (pg as any).host ? (pg as any).host.free() : NaN;
  const hit = acc[0] > 0 ? (100 * acc[1]) / acc[0] : 0;
  const c = C;
  const line =
    `acc ${(acc[0] / 1e3).toFixed(0)}k (${ga.map((x) => (x / 1e3).toFixed(0)).join('/')}) hit ${hit.toFixed(2)} s2f ${gf.join('/')} ev ${ev.join('/')} rf ${rf} seq ${seqs} gens ${gens} | ${perGuest} | ` +
    `pass ${c.passes} noWalk ${c.noWalk} fold ${c.fold} steps ${c.steps} join ${c.join} promo ${c.promote} act ${c.activate} prot ${c.protect} ` +
    `pick k${c.pickK}/d${c.pickD} vict k${c.victimK}/d${c.victimD} none ${c.none} again ${c.again} ref ${c.refChecks} young ${c.refYoung} free ${free}${times}${process.env.WORKERS ? ` | ${workerLine()}` : ''}${process.env.FRAMES ? framesLine(curMode) : ''}${process.env.MISSED ? missedLine() + settleLine() : ''}${process.env.BUSY ? busyLine() : ''}${process.env.LOCKW ? lockLine() + settledLine() : ''}`;
  const key = [acc[0], ...ev, rf, c.passes, c.noWalk, c.fold, c.promote, c.activate];
  for (const k of Object.keys(C) as (keyof Counters)[]) C[k] = 0;
  return { t, line, key };
}

let curMode = 'd1';

function runMode(mode: string): Row[] {
  curMode = mode;
  resetRetries();
  framesReset();
  framesWorker(0);
  prevT.length = 0;
  for (let i = 0; i < TIME_KEYS.length * GUESTS; i++) prevT.push(0);
  mg = null;
  pg = null;
  for (const k of Object.keys(C) as (keyof Counters)[]) C[k] = 0;
  const rows: Row[] = [];
  const prev = new Array<number>(5 * GUESTS).fill(0);
  let next = WIN * 1e6;
  const tick = (stats: Float64Array, t: number): void => {
    if (t < next) return;
    next += WIN * 1e6;
    rows.push(windowRow(stats, prev, t));
  };
  if (mode === 'd1') {
    const p = prepareRun(scenario(1), {}, 1);
    const store = new RowStore();
    const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
    const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, sink, {});
    const sv = core.sv;
    do {
      const end = sv.time[TIME_QUANTUM_END];
      core.runUntil(end);
      if (trace && end > trace[0] && end <= trace[1]) traceLine([core], p.buffers, end);
      core.serial();
      tick(sv.stats, end);
    } while (sv.control[CTL_DONE] !== 1);
    core.close();
    return rows;
  }
  if (process.env.W0WEIGHT) setReclaimWorkerVcpuWeight(Number(process.env.W0WEIGHT));
  const c = scenario(2);
  const p = prepareRun({ ...c, run: { ...c.run, deterministic: false, workers: 2 } }, {}, 2);
  // AFFINE=1: whole guests per worker (the first half on worker 0); SPLIT=0,3: only those guests keep their
  // vCPUs on both workers, the others whole on worker g % 2 (which per-guest cross-worker sharing matters).
  if (process.env.AFFINE) p.plan.vcpuWorker = p.plan.vcpuWorker.map((v, g) => v.map(() => (g < GUESTS / 2 ? 0 : 1)));
  // QNS: the quantum (ns), shorter than the plan's 1 ms: how far the workers' virtual times may be apart.
  if (process.env.QNS) p.plan.quantumNs = Number(process.env.QNS);
  // MAP=0,1,1,1: every vCPU of guest g on worker MAP[g] (whole guests, any balance).
  if (process.env.MAP) {
    const m = process.env.MAP.split(',').map(Number);
    p.plan.vcpuWorker = p.plan.vcpuWorker.map((v, g) => v.map(() => m[g]));
  }
  if (process.env.SPLIT) {
    const keep = process.env.SPLIT.split(',').map(Number);
    p.plan.vcpuWorker = p.plan.vcpuWorker.map((v, g) => (keep.includes(g) ? v : v.map(() => g % 2)));
  }
  const store = new RowStore();
  const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
  // PERW=1: each worker its own MMU-lock calendar; NOBUDGET=1: no per-worker frame budgets (as _parallelDrift).
  const cores = [0, 1].map(
    (i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink, { perWorkerVLock: !!process.env.PERW }),
  );
  type Spread = { spreadGuests: { host: { budgets: unknown } }[] };
  // DVMSHARE=1: worker 1's guests book worker 0's DVM calendar (arch/dvm.ts: one per worker), one host-wide
  // DVM Sync queue as in the deterministic run (one thread: the same object, booked in the run's order).
  if (process.env.DVMSHARE) {
    const d0 = (cores[0] as unknown as { spreadGuests: { dvm: unknown }[] }).spreadGuests[0].dvm;
    for (const g of (cores[1] as unknown as { spreadGuests: { dvm: unknown }[] }).spreadGuests)
      (g as { dvm: unknown }).dvm = d0;
  }
  if (process.env.NOBUDGET)
    for (const core of cores) for (const g of (core as unknown as Spread).spreadGuests) g.host.budgets = null;
  for (const core of cores)
    registerInvalidates(
      (core as unknown as { spreadGuests: { index: number; mmuInvalidate: unknown }[] }).spreadGuests,
    );
  const sv = cores[0].sv;
  let q = 0;
  do {
    const end = sv.time[TIME_QUANTUM_END];
    setQuantumStart(end - p.plan.quantumNs, q % 2);
    for (const w of q % 2 === 0 ? [0, 1] : [1, 0]) {
      setWorker(w);
      framesWorker(w);
      cores[w].runUntil(end);
    }
    setWorker(0);
    framesWorker(0);
    if (trace && end > trace[0] && end <= trace[1]) traceLine(cores, p.buffers, end);
    cores[0].serial();
    tick(sv.stats, end);
    q++;
  } while (sv.control[CTL_DONE] !== 1);
  for (const x of cores) x.close();
  return rows;
}

const res: Record<string, Row[]> = {};
for (const m of MODES) res[m] = runMode(m);
const n = Math.max(...MODES.map((m) => res[m].length));
let first = -1;
for (let i = 0; i < n; i++) {
  const t = res[MODES[0]][i]?.t ?? NaN;
  const differs = MODES.length > 1 && MODES.some((m) => res[m][i]?.key.join() !== res[MODES[0]][i]?.key.join());
  if (differs && first < 0) first = i;
  if (t / 1e6 < FROM || t / 1e6 > TO) continue;
  console.log(`${(t / 1e6).toFixed(0).padStart(5)} ms${differs ? ' *' : ''}`);
  for (const m of MODES) console.log(`  ${m.padEnd(3)} ${res[m][i]?.line ?? '-'}`);
}
console.log(
  `first window that differs (accesses, evictions per guest, refaults, passes, no-walk gens, folds, promotions, activations): ${first < 0 ? 'none' : `${res[MODES[0]][first].t / 1e6} ms`}`,
);
