// Diagnostics (not a bench): the idle-machine prediction (probe.ts) split by phase of the run, from two
// _quantaDump.ts CSVs of the same scenario and seed: ONE (1 worker, default .cache/quanta1.csv) and TWO
// (2 workers, default .cache/quanta.csv). Each quantum's phase comes from the 1-worker run: q0 (the
// worker's start and JIT warm-up), stall (no access completed: every vCPU retrying or asleep), fault-in
// (accesses, no eviction), reclaim (evictions). Per phase: the 1-worker CPU, the 2-worker work and
// critical path (the slower worker of each quantum), their ratios.
//
// Session 14 (D), 1 guest, seed 1, 200 ms, 4ebe781 (load 5): 1 worker 1,821 ms thread CPU; 2 workers work 2,186,
// critical 1,288 (1.41). q0 95 -> critical 97 (each isolate's JIT warm-up: x2 the work); fault-in 17 quanta 512 ->
// work 621, critical 334; stall 150 quanta 770 -> 954 / 602; reclaim 32 quanta 443 -> 428 / 255. At that work,
// balanced: 97 + 2,003 / 2 = 1,099 (1.66); without the x1.2 inflation: 97 + 1,726 / 2 = 960 (1.90). Of the
// 189 ms imbalance, 125 is the stall quanta. There (steps, load-independent): 1 worker ~6,380 scheduler steps a
// quantum (64 vCPUs: no-frame retries every FRAME_RETRY_NS, 702 k of the run's 1.91 M steps, and resumed
// suspended faults, 1.04 M), kswapd 1-4; 2 workers w0 3,080-3,250 + kswapd 1.4-2.3, w1 3,150-3,290. kswapd's
// walk step is w0's excess: w0 - w1 x (w0 / w1 steps) = 1.1-1.3 ms CPU a stall quantum, ~130 ms a run (7 % of
// the 1-worker CPU; q0 5 %): Amdahl's bound 1.78 with no inflation, 1.54 with x1.2. One mm per guest, and
// iterate_mm_list (mm/vmscan.c 6.1-6.6) hands each concurrent walker a whole mm: one guest's walk is serial
// in the kernel too. What-if FRAME_RETRY_NS 100 us (not kept): 1 worker's stall quanta 7,643 -> 3,444 steps,
// CPU 7.9 -> 3.5 ms a quantum (load 22), results identical here and 55 of 56 digest lines identical; the
// stall quanta's 2 / 1 prediction fell 1.88 -> 0.89: the retries are the parallel part of the stall.
import { readFileSync } from 'node:fs';

const load = (f: string): Record<string, number>[] => {
  const [head, ...lines] = readFileSync(f, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], Number(v)])));
};
const one = load(process.env.ONE ?? '.cache/quanta1.csv');
const two = load(process.env.TWO ?? '.cache/quanta.csv');
const phaseOf = (q: number): string =>
  q === 0 ? 'q0' : one[q].acc0 === 0 ? 'stall' : one[q].evi0 === 0 ? 'fault-in' : 'reclaim';
const sums = new Map<string, { n: number; w1: number; work: number; crit: number; st1: number; st2: number }>();
for (let q = 0; q < Math.min(one.length, two.length); q++) {
  const s = sums.get(phaseOf(q)) ?? { n: 0, w1: 0, work: 0, crit: 0, st1: 0, st2: 0 };
  s.n++;
  // Scheduler steps (load-independent; NaN in CSVs written before the stp columns).
  s.st1 += one[q].stp0;
  s.st2 += two[q].stp0 + two[q].stp1;
  s.w1 += one[q].cpu0;
  s.work += two[q].cpu0 + two[q].cpu1;
  s.crit += Math.max(two[q].cpu0, two[q].cpu1);
  sums.set(phaseOf(q), s);
}
for (const [k, s] of sums)
  console.log(
    `${k.padEnd(9)} ${String(s.n).padStart(4)} quanta: 1 worker ${s.w1.toFixed(0)} ms; 2 workers work ${s.work.toFixed(0)} ms (×${(s.work / s.w1).toFixed(2)}), critical ${s.crit.toFixed(0)} ms; prediction ${(s.w1 / s.crit).toFixed(2)}, balanced bound ${((2 * s.w1) / s.work).toFixed(2)}; scheduler steps 1 worker ${s.st1}, 2 workers ${s.st2} (×${(s.st2 / s.st1).toFixed(2)})`,
  );
// Per phase and worker, means per quantum: thread CPU, scheduler steps, kswapd's steps and wall ms (probe.ts
// PQ_STEPS, PQ_KSWAPD_*; absent in CSVs written before those columns). The 2-worker run's own phases
// (its stall quanta need not be the 1-worker run's: a spread run may take another path through the first walk).
const phaseOwn = (r: Record<string, number>[], q: number, w: number): string => {
  let acc = 0;
  let evi = 0;
  for (let i = 0; i < w; i++) {
    acc += r[q][`acc${i}`];
    evi += r[q][`evi${i}`];
  }
  return q === 0 ? 'q0' : acc === 0 ? 'stall' : evi === 0 ? 'fault-in' : 'reclaim';
};
for (const [label, r, w] of [
  ['1 worker ', one, 1],
  ['2 workers', two, 2],
] as const) {
  if (r[0]?.stp0 === undefined) break;
  const by = new Map<string, { n: number; x: number[] }>();
  for (let q = 0; q < r.length; q++) {
    const s = by.get(phaseOwn(r, q, w)) ?? { n: 0, x: new Array<number>(4 * w).fill(0) };
    s.n++;
    for (let i = 0; i < w; i++) {
      s.x[4 * i] += r[q][`cpu${i}`];
      s.x[4 * i + 1] += r[q][`stp${i}`];
      s.x[4 * i + 2] += r[q][`kst${i}`];
      s.x[4 * i + 3] += r[q][`kms${i}`];
    }
    by.set(phaseOwn(r, q, w), s);
  }
  for (const [k, s] of by)
    console.log(
      `${label} ${k.padEnd(9)} ${String(s.n).padStart(4)} quanta, per quantum: ` +
        Array.from(
          { length: w },
          (_, i) =>
            `w${i} CPU ${(s.x[4 * i] / s.n).toFixed(2)} ms, ${(s.x[4 * i + 1] / s.n).toFixed(0)} steps, kswapd ${(s.x[4 * i + 2] / s.n).toFixed(1)} steps ${(s.x[4 * i + 3] / s.n).toFixed(2)} ms`,
        ).join('; '),
    );
}
