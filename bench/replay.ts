/**
 * Trace replay throughput against libCacheSim (issue 8), per core in CPU time.
 *
 * cloudPhysicsIO (oracleGeneral) repeated COPIES times (×50: 5.69 M requests), one guest, one vCPU,
 * a host of exactly CAPACITY pages, demand eviction, through the full pipeline (engine host + a
 * simulation worker, as the CLI and the UI run it). Policies: exact LRU, CLOCK (AF as the
 * reference bit, new pages mapped old), MGLRU. With LIBCACHESIM=/path/to/cachesim the same file
 * (the ×COPIES oracleGeneral bytes, written to a temp file) is replayed by libCacheSim's LRU and
 * Clock at the same capacity; miss counts must be identical (LRU, CLOCK) and the ratio printed is
 * lab requests/s ÷ libCacheSim requests/s, both per CPU second (user + system, whole process:
 * the lab's host thread and worker thread together).
 *
 * The machine is shared: rounds alternate lab and libCacheSim, and medians are printed with the
 * load average. Steady state = the ×COPIES run minus the ×1 run (start-up and JIT warm-up removed).
 * Cold = each run on a fresh worker (start-up and JIT warm-up paid); warm = the same runs on one kept
 * worker (engine/host/workerPool.ts) that has already run the bench's earlier warm runs (in round 1 of
 * the first policy, only its ×1): what a user running several replays pays from the second one on.
 * Each lab ×COPIES run is also divided by a plain typed-array LRU (plainLru) measured in this process
 * right before it: a ratio that the machine's load moves much less than the one against another process.
 * Where a fresh worker's extra CPU goes (Linux: /proc/self/task/<tid>/schedstat): each run's CPU split
 * into the worker's thread, the other threads (V8's platform threads: concurrent TurboFan compiles and
 * GC helpers; libuv) and the host thread. On this project's shared VMs a thread's CPU time for the same
 * work moves by up to ~1.6x from minute to minute (bench/_replayPair.ts: a fresh and a kept worker
 * replaying at once, either one the slower), so compare splits within a run, not across bench runs.
 * Instruction counts (session 9, r: `valgrind --tool=callgrind --separate-threads=yes node
 * .cache/bench/_warmReplay.mjs exact-lru 1 <runs>` with runs 0, 1, 2, differences): a fresh worker's ×1
 * run is 1,286 M instructions, of which the worker's thread 664 M, V8's background threads 533 M (all
 * TurboFan: concurrent compiles), the host 89 M; the next ×1 on the same kept worker is ~390 M (worker
 * 297 M, TurboFan 104 M). The scheduler's per-quantum calls are not where it goes (session 9, r2): a lone
 * replay whose own loop carried it across quanta (loop -> quantum -> runUntil skipped, same quanta, flush
 * and RCU polls) measured, same commands, cold ×1 1,222-1,280 M vs 1,229-1,305 M, a kept worker's ×1
 * 352-416 M vs 393-491 M, steady worker thread ~2,250 vs ~2,300 instructions per request (×10 − ×1):
 * ≤ 2 %, inside the spread, so not kept. A ×1 has ~2,500 quanta; its kept-worker 294 M is ~240 M in
 * JIT-compiled code (~2,100 instructions per request), so per-quantum work cannot be more than a few %.
 * Session 10 (c), by callgrind per JIT function (`node --perf-basic-prof` for the names, `--dump-instr=yes`,
 * `--print-opt-code` for per-line costs, `--trace-turbo-inlining`), fresh worker ×10 exact LRU
 * (`.cache/bench/_warmReplay.mjs exact-lru 10 1`), worker thread: 3,124 M -> 2,902 M instructions when the
 * hot helpers became small enough to inline (installLeafAt's empty-entry case apart from replacing a leaf:
 * V8's cumulative inlining budget had left makeLeafLo, makeLeafHi and atomics.add as calls in mapLeafAt;
 * the lone lockHold apart from the VLock path, 215 bytes of bytecode, a call in fault; throws with
 * template strings out of line), -> 2,748 M when the Node bundles inlined imported constants
 * (scripts/workers.mjs minifySyntax; GS_*, C_*, TX_* had each been a module-variable load and Smi check per
 * use: `stats[sb + GS_LOCK_HOLD_NS] += hold` was 32 instructions). Steady instructions per request of the
 * whole process (REPLAY_CALLGRIND=1, two runs each): exact LRU 2,696 / 2,592 -> 2,244 / 2,093, CLOCK 3,771 ->
 * 3,346, MGLRU 4,423 -> 3,732. Same-window A/B, process CPU per request (`_warmReplay.mjs exact-lru 10 3`,
 * the bda18d7 tree and this one alternated three times, load 6.3-6.6): a fresh worker's ×10 645 -> 480 ns
 * (medians), its third ×10 162 -> 122 ns. bench -- replay's own figures did not show it at load 5-14
 * (lab ÷ plain LRU cold 0.058-0.065 against 0.068 at load 3-6). What is left, per request: the TLB
 * flush bookkeeping (VmTlbFlush.refill and VCpu.refillsBy) ~110; per miss: fault ~830, mapLeafAt ~360,
 * unmapLeafAt ~225, evictOne ~420 (each atomics.* call: the routing object's field, a call-target check and
 * `a === i32` before the typed-array access); and a fresh worker's TurboFan, ~0.95 G instructions in
 * V8's background threads per fresh ×10 (fault compiled 3x: deopts at its first reclaim and first refault;
 * evictOne at its first unmapPage).
 * Session 11 (b), same tools (`valgrind --tool=callgrind --separate-threads=yes node
 * .cache/bench/_warmReplay.mjs <policy> 10|1 1`, fresh worker, whole process): the same tree's fresh ×10 moves by
 * ~±4 % from run to run (V8's concurrent compiles and deopts differ: exact LRU 4,246 M and 4,579 M), so only
 * changes well above that show. Per call, worker thread, fresh ×10 exact LRU: fault 813 instructions per miss,
 * steps 373 per request, evictOne 425 per eviction, mapLeafAt 354 per miss, unmapLeafAt 222 per eviction,
 * pickVictim 115 per eviction; TurboFan's threads ~0.9 G of the run's 4.25 G. Found:
 * - The TLB-flush bookkeeping is mostly real work: every miss evicts, the eviction's stage-1 flush
 *   (flushStage1) makes the next request a REFILL_STAGE1, so ~70 % of requests refill. Asking refill only when a
 *   generation moved saves only on hits (fresh ×10 4,246 -> 4,316 M, inside the spread): not kept.
 * - fault and evictOne are compiled before the host is full; their reclaim, refault and table-emptying paths
 *   are first reached later and deoptimize them (--trace-deopt: fault at its first reclaim and first refault,
 *   evictOne at its first unmapPage). Recompiled, they no longer inline mapLeafAt / unmapLeafAt: those got
 *   optimized code of their own while their callers ran unoptimized, and V8 then weighs a callee by what its
 *   code inlined (--trace-turbo-inlining: "existing opt code's inlined bytecode size" 840 and 576, over the
 *   460-byte limit). Hence the two calls above. Tried: fault's part before the map in a method too large to
 *   inline, and one subtraction shared by the refault and non-refault pressure sums: fault then compiled once
 *   and kept mapLeafAt inlined, but fresh ×10 measured 4,344 M (worker 2,593 M) against 4,181-4,246 M: not kept.
 * Session 11 (b2), same command, fresh ×10 exact LRU, two runs each: mapLeafAt and unmapLeafAt now write out the
 * replay's case (mapLeaf + installLeafAt's empty entry; clearEntry on a live table) with the other cases out of
 * line (mapLeafRare, breakPte): their own optimized code inlines 441 and 357 bytes (was 840, 576), so map's
 * code inlines mapLeafAt and evictOne's recompile inlines unmapLeafAt (fault's still calls map: map's 207 +
 * 767 bytes do not fit what fault has left). Whole process 4,350 / 4,337 M -> 4,194 / 4,220 M, worker thread
 * 2,575 / 2,605 M -> 2,494 / 2,487 M (-4 %); ×1 2,003 -> 1,909 M. CLOCK and MGLRU (same path) inside the spread:
 * CLOCK 5,541 / 5,402 -> 5,479 / 5,478 M (worker 3,700 / 3,615 -> 3,627 / 3,596 M), MGLRU 6,564 / 6,461 ->
 * 6,574 / 6,400 M (worker 4,297 / 4,306 -> 4,391 / 4,320 M). Deopts unchanged (fault at its first
 * reclaim and refault, evictOne at its first unmapPage: a call site with no feedback deopts as well, so
 * moving a rare path into a function of its own does not avoid it).
 * Session 12 (e), same command, fresh ×10, worker thread: the control words (stop checks, barrier) now go
 * through their own routing table (atomics.ts controlAtomics), so under plainArenaOps no array but the arena
 * reaches `atomics` and load/store/add's native branch, never taken, compiles to a deopt exit instead of a
 * builtin call whose merge made TurboFan re-check the table, the array's map, length and data pointer at every
 * next access. Exact LRU 2,460 / 2,460 / 2,470 M -> 2,290 / 2,316 / 2,313 M (-6.2 %), CLOCK 3,610 / 3,657 ->
 * 3,365 / 3,363 M (-7.5 %), MGLRU 4,337 / 4,306 -> 4,133 / 4,136 M (-4.3 %). The ceiling, every operation plain on every array (not kept: the host
 * writes the control words during the run), measured 2,185 M: the rest is the routing table's field load
 * and call-target check and the `a === i32` test per operation. Raising V8's inlining budgets
 * (--max-inlined-bytecode-size=1500 --max-inlined-bytecode-size-cumulative=4000, which lets fault inline map)
 * measured 2,637 M against 2,470 M: more inlining is not what is missing.
 * Session 13 (d): one-worker runs (all of this bench's) now run on the lone worker bundle ('sim-worker-lone',
 * core/sync/atomicsLone.ts: the arena's atomics fixed plain at build time, the routing table a frozen object
 * TurboFan folds, no `a === i32` test). `valgrind --tool=callgrind --separate-threads=yes node
 * .cache/bench/_warmReplay.mjs <policy> 10 1` with SIM_WORKER=<bundle>, worker thread; with node's
 * --no-concurrent-recompilation the count is repeatable (two runs of the old bundle: 2,865.0 / 2,864.9 M,
 * compiles included): exact LRU 2,865 -> 2,797 M (-2.4 %); default flags, one run each, 2,316 -> 2,268 M.
 * Every operation a module function called directly (a source rewrite, not kept) measured 2,772 M: the
 * frozen table gets ~70 % of that.
 * Env: REPLAY_ROUNDS (default 3), REPLAY_COPIES (default 50), REPLAY_POLICIES (comma list).
 *
 * Instructions per request (REPLAY_CALLGRIND=1, needs valgrind; minutes per policy): each policy's lab
 * replay runs under `valgrind --tool=callgrind` at ×1 and ×REPLAY_CALLGRIND_COPIES (default 10), in a
 * child process of this bench (REPLAY_CHILD=<policy>), and (Ir ×N − Ir ×1) ÷ (requests ×N − ×1) is
 * printed: the steady-state instructions per request of the whole process (host and worker threads),
 * start-up and trace loading cancelled out. Instruction counts do not depend on the machine's load;
 * they vary by a few per cent from run to run with V8's background compilation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startRun } from '../engine/host/engine.ts';
import { nodeSimSpawner, nodeSimWorkerPools } from '../engine/host/node/spawn.ts';
import type { SpawnWorker } from '../engine/host/messages.ts';
import type { ReclaimSpec, RunResult } from '../engine/protocol.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';
import { median, repeatTrace, replayScenario, threadCpuSeconds } from './_util.ts';

const root = process.cwd();
const workerFile = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
/** One-worker runs (all of this bench's) run on the lone bundle, as the CLI's (core/sync/atomicsLone.ts). */
const loneWorkerFile = path.join(root, '.cache', 'workers', 'sim-worker-lone.mjs');
const traceFile = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const CAPACITY = 10_000;
const COPIES = Number(process.env.REPLAY_COPIES ?? 50);
const ROUNDS = Number(process.env.REPLAY_ROUNDS ?? 3);
const POLICIES = (process.env.REPLAY_POLICIES ?? 'exact-lru,clock,mglru').split(',') as ReclaimSpec['policy'][];
const LIBCACHESIM = process.env.LIBCACHESIM;
/** Set in the callgrind child (see the file comment): run one lab replay of this policy and exit. */
const CHILD = process.env.REPLAY_CHILD as ReclaimSpec['policy'] | undefined;

const presets = loadPresetDir(path.join(root, 'presets'));
const hw = presets.set.hardware.get('ampere-altra');
if (!hw) throw new Error(`no hardware preset 'ampere-altra': ${presets.problems.join('; ')}`);

const bytes = readFileSync(traceFile);
const once = parseTrace(traceFile, bytes).pageIds;
const traces: Record<string, Uint32Array> = { x1: repeatTrace(once, 1), xN: repeatTrace(once, COPIES) };

interface Measured {
  cpuS: number;
  wallS: number;
  misses: number;
  requests: number;
  /** Lab runs only: the run's CPU seconds by thread (threadCpu), or undefined off Linux. */
  threads?: ThreadCpu;
}

interface ThreadCpu {
  /** This (host) thread. */
  host: number;
  /** The simulation worker's thread: threads started during the run (a fresh worker), or the kept worker's. */
  worker: number;
  /** The other threads: V8's platform threads (concurrent TurboFan compiles, GC helpers) and libuv's. */
  background: number;
}

/** The kept worker's thread id (found in its first run: threadCpu). */
let keptTid = '';

/**
 * The run's CPU by thread, from the per-thread clocks of threads that existed before and after it.
 * A fresh worker's thread ends with the run, so its CPU is the process's (process.cpuUsage keeps
 * ended threads' time) minus that of the threads that existed before; a kept worker's thread
 * existed before: it is the busiest of them other than the host (the rest are idle or short jobs).
 */
function threadCpu(
  before: Map<string, number> | null,
  after: Map<string, number> | null,
  cpuS: number,
  kept: boolean,
): ThreadCpu | undefined {
  if (before === null || after === null) return undefined;
  const host = String(process.pid);
  let h = 0;
  let old = 0;
  let busiestCpu = 0;
  for (const [tid, c0] of before) {
    const c1 = after.get(tid);
    if (c1 === undefined) continue;
    if (tid === host) h = c1 - c0;
    else {
      old += c1 - c0;
      if (c1 - c0 > busiestCpu) busiestCpu = c1 - c0;
    }
  }
  if (!kept) return { host: h, worker: cpuS - h - old, background: old };
  // The kept worker's first run: its thread started during it (a fresh one); record which it is.
  if (keptTid === '') {
    let first = '';
    for (const [tid, c1] of after) if (!before.has(tid) && (first === '' || c1 > (after.get(first) ?? 0))) first = tid;
    keptTid = first;
    return { host: h, worker: cpuS - h - old, background: old };
  }
  const w =
    after.has(keptTid) && before.has(keptTid) ? (after.get(keptTid) ?? 0) - (before.get(keptTid) ?? 0) : busiestCpu;
  return { host: h, worker: w, background: cpuS - h - w };
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Cold runs start a fresh worker each (nodeSimSpawner); warm runs borrow the bench's one kept worker (workerPool.ts). */
const coldWorker = nodeSimSpawner(workerFile, loneWorkerFile);
const pool = nodeSimWorkerPools(workerFile, loneWorkerFile, { maxIdle: 1 });

async function lab(
  policy: ReclaimSpec['policy'],
  trace: string,
  spawnWorker: SpawnWorker = coldWorker,
): Promise<Measured> {
  const t0 = threadCpuSeconds();
  const c0 = cpuNow();
  const w0 = performance.now();
  const r: RunResult = await startRun(replayScenario(hw as NonNullable<typeof hw>, CAPACITY, policy, trace), {
    spawnWorker,
    traces,
    onEvent: () => {},
  }).done;
  const c1 = cpuNow();
  const wallS = (performance.now() - w0) / 1000;
  return {
    cpuS: c1 - c0,
    wallS,
    misses: r.summary.misses,
    requests: r.summary.accesses,
    threads: threadCpu(t0, threadCpuSeconds(), c1 - c0, spawnWorker !== coldWorker),
  };
}

/**
 * The in-process yardstick: a plain LRU over the same dense page ids (typed arrays only: a doubly
 * linked list in two Int32Arrays, an Int8Array of residency), as issue 8's "plain typed-array LRU in
 * Node". Measured in this process between the lab runs, so lab ÷ plain is a ratio of two figures
 * taken under the same load; its misses must equal the lab's exact LRU's.
 */
function plainLru(t: Uint32Array, capacity: number): Measured {
  const c0 = cpuNow();
  const w0 = performance.now();
  let pages = 0;
  for (let i = 0; i < t.length; i++) if (t[i] >= pages) pages = t[i] + 1;
  const head = pages;
  const prev = new Int32Array(pages + 1);
  const next = new Int32Array(pages + 1);
  const resident = new Int8Array(pages);
  prev[head] = head;
  next[head] = head;
  let size = 0;
  let misses = 0;
  for (let i = 0; i < t.length; i++) {
    const p = t[i];
    if (resident[p] === 1) {
      next[prev[p]] = next[p];
      prev[next[p]] = prev[p];
    } else {
      misses++;
      if (size === capacity) {
        const v = prev[head];
        next[prev[v]] = head;
        prev[head] = prev[v];
        resident[v] = 0;
      } else size++;
      resident[p] = 1;
    }
    const first = next[head];
    next[p] = first;
    prev[p] = head;
    prev[first] = p;
    next[head] = p;
  }
  return { cpuS: cpuNow() - c0, wallS: (performance.now() - w0) / 1000, misses, requests: t.length };
}

let lcsFile = '';
function libCacheSim(algo: 'lru' | 'clock'): Measured | null {
  if (!LIBCACHESIM) return null;
  if (!lcsFile) {
    const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
    lcsFile = path.join(dir, `cloudPhysicsIO.x${COPIES}.oracleGeneral.bin`);
    const big = Buffer.alloc(bytes.length * COPIES);
    for (let i = 0; i < COPIES; i++) bytes.copy(big, i * bytes.length);
    writeFileSync(lcsFile, big);
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const w0 = performance.now();
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'CPU %U %S', LIBCACHESIM, lcsFile, 'oracleGeneral', algo, String(CAPACITY), '--ignore-obj-size', '1'],
    { encoding: 'utf8', cwd: path.dirname(lcsFile) }, // it appends its report to <trace>.cachesim in cwd
  );
  const wallS = (performance.now() - w0) / 1000;
  const out = `${r.stdout}\n${r.stderr}`;
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(out);
  // cachesim prints "<file> <algo> cache size <C>, <requests> req, miss ratio <0.dddd>, throughput ...":
  // the miss count only to four digits of the ratio (missesExact: within half a unit of the last digit).
  const line = /(\d+) req, miss ratio ([\d.]+)/.exec(out);
  if (r.status !== 0 || !cpu || !line) throw new Error(`cachesim failed (${r.status}):\n${out}`);
  const requests = Number(line[1]);
  return { cpuS: Number(cpu[1]) + Number(cpu[2]), wallS, misses: Number(line[2]) * requests, requests };
}

if (CHILD) {
  const m = await lab(CHILD, 'xN');
  console.log(`child ${CHILD} ×${COPIES}: ${m.requests} requests, misses ${m.misses}`);
  process.exit(0);
}

/** Steady-state instructions per request of the lab replay of `policy` under callgrind, or null without valgrind. */
function instructionsPerRequest(policy: ReclaimSpec['policy'], copies: number): number | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'replay-cg-'));
  try {
    const ir: number[] = [];
    for (const c of [1, copies]) {
      const out = path.join(dir, `cg.${c}`);
      const r = spawnSync(
        'valgrind',
        ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, process.argv[1]],
        { encoding: 'utf8', cwd: root, env: { ...process.env, REPLAY_CHILD: policy, REPLAY_COPIES: String(c) } },
      );
      if (r.error || r.status !== 0) return null;
      const m = /^summary: (\d+)$/m.exec(readFileSync(out, 'utf8'));
      if (!m) return null;
      ir.push(Number(m[1]));
    }
    return (ir[1] - ir[0]) / (once.length * (copies - 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rate = (m: Measured): number => m.requests / m.cpuS;
const mrps = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;

console.log(
  `cloudPhysicsIO ×${COPIES} (${traces.xN.length} requests), C=${CAPACITY}, ${ROUNDS} rounds, load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const results = new Map<string, { xN: Measured[]; x1: Measured[] }>();
const warm = new Map<string, { xN: Measured[]; x1: Measured[] }>();
const lcs = new Map<string, Measured[]>();
const plain: Measured[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const policy of POLICIES) {
    const e = results.get(policy) ?? { xN: [], x1: [] };
    e.x1.push(await lab(policy, 'x1'));
    plain.push(plainLru(traces.xN, CAPACITY));
    e.xN.push(await lab(policy, 'xN'));
    results.set(policy, e);
    const k = warm.get(policy) ?? { xN: [], x1: [] };
    k.x1.push(await lab(policy, 'x1', pool.spawn));
    k.xN.push(await lab(policy, 'xN', pool.spawn));
    warm.set(policy, k);
    const algo = policy === 'clock' ? 'clock' : 'lru';
    const m = libCacheSim(algo);
    if (m) lcs.set(algo, [...(lcs.get(algo) ?? []), m]);
  }
}
const lcsRate = (algo: string): number => median((lcs.get(algo) ?? []).map(rate));
for (const policy of POLICIES) {
  const e = results.get(policy)!;
  const k = warm.get(policy)!;
  const full = median(e.xN.map(rate));
  const steady = median(e.xN.map((m, i) => (m.requests - e.x1[i].requests) / (m.cpuS - e.x1[i].cpuS)));
  const warmFull = median(k.xN.map(rate));
  const misses = e.xN[0].misses;
  if (k.xN.some((m) => m.misses !== misses) || k.x1.some((m, i) => m.misses !== e.x1[i].misses))
    throw new Error(`${policy}: a kept worker's misses differ from a fresh worker's`);
  let line = `lab ${policy.padEnd(10)} ×${COPIES}: cold (fresh worker) ${mrps(full).padStart(11)} per core (steady ${mrps(steady)}), misses ${misses}, median CPU ${median(e.xN.map((m) => m.cpuS)).toFixed(2)} s, wall ${median(e.xN.map((m) => m.wallS)).toFixed(2)} s`;
  line += `\n    warm (kept worker, after its earlier runs): ${mrps(warmFull).padStart(11)} per core, same misses, median CPU ${median(k.xN.map((m) => m.cpuS)).toFixed(2)} s (×1 ${median(k.x1.map((m) => m.cpuS)).toFixed(3)} s, cold ×1 ${median(e.x1.map((m) => m.cpuS)).toFixed(3)} s)`;
  // Within this process: each lab ×N run against the plain LRU measured right before it.
  const inProc = median(e.xN.map((m, i) => rate(m) / rate(plain[i * POLICIES.length + POLICIES.indexOf(policy)])));
  const warmInProc = median(k.xN.map((m, i) => rate(m) / rate(plain[i * POLICIES.length + POLICIES.indexOf(policy)])));
  const split = (ms: Measured[]): string =>
    (['worker', 'background', 'host'] as const)
      .map((f) => median(ms.map((m) => m.threads?.[f] ?? NaN)).toFixed(3))
      .join(' / ');
  if (e.xN[0].threads !== undefined)
    line += `\n    CPU by thread, worker / V8 and libuv background (TurboFan compiles, GC helpers) / host, median s: cold ×${COPIES} ${split(e.xN)}, ×1 ${split(e.x1)}; warm ×${COPIES} ${split(k.xN)}, ×1 ${split(k.x1)}`;
  line += `\n    ÷ plain typed-array LRU in this process (same rounds): cold ${inProc.toFixed(3)}, warm ${warmInProc.toFixed(3)}`;
  const algo = policy === 'clock' ? 'clock' : 'lru';
  if (lcs.has(algo)) {
    const l = lcs.get(algo)!;
    const same = Math.abs(l[0].misses - misses) <= 0.5e-4 * l[0].requests && l[0].requests === e.xN[0].requests;
    const agree = policy === 'mglru' ? '' : same ? ' (same to the 4 digits cachesim prints)' : ' (DIFFERENT)';
    line += `\n    libCacheSim ${algo.padEnd(5)}: ${mrps(lcsRate(algo)).padStart(11)} per core, miss ratio ${(l[0].misses / l[0].requests).toFixed(4)} vs lab ${(misses / e.xN[0].requests).toFixed(4)}${agree}; ratio lab ÷ libCacheSim = cold ${(full / lcsRate(algo)).toFixed(2)} (steady ${(steady / lcsRate(algo)).toFixed(2)}), warm ${(warmFull / lcsRate(algo)).toFixed(2)}`;
  }
  console.log(line);
}
const plainRate = median(plain.map(rate));
let plainLine = `plain typed-array LRU ×${COPIES}: ${mrps(plainRate).padStart(11)} per core, misses ${plain[0].misses}`;
if (lcs.has('lru')) plainLine += `; ÷ libCacheSim LRU = ${(plainRate / lcsRate('lru')).toFixed(2)}`;
console.log(plainLine);
pool.close();
if (process.env.REPLAY_CALLGRIND) {
  const copies = Number(process.env.REPLAY_CALLGRIND_COPIES ?? 10);
  for (const policy of POLICIES) {
    const ipr = instructionsPerRequest(policy, copies);
    console.log(
      ipr === null
        ? `lab ${policy}: instructions per request not measured (valgrind missing or failed)`
        : `lab ${policy.padEnd(10)} instructions per request (callgrind, ×${copies} − ×1, whole process): ${ipr.toFixed(0)}`,
    );
  }
}
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
