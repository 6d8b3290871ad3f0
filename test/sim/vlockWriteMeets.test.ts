/**
 * VLock.writeMeets (mmu_invalidate_retry's answer on a spread run's shared MMU-lock calendar) skips, by a
 * binary search on start, the records that start at or after `to` + gapMax (the largest start − arrival
 * of a spanFromArrival record in the window). Checked against a slow reference: every write hold booked,
 * kept in a plain list, pruned as the calendar prunes (end <= the run-wide floor at each request), and
 * asked by a linear scan. Two SharedVLock copies (workers 0 and 1) book into one buffer in random order,
 * with late arrivals (holds placed behind convoys, so range_end holds with start far past their arrival),
 * aging holds, reads, and a floor that moves on.
 *
 * Negative controls (run by hand, each fails this test): in VLock.writeMeets, `const lim = to +
 * this.gapMax;` -> `const lim = to;` (a range_end hold that arrived before `to` but starts after it is
 * skipped); in SharedVLock.enter, dropping `this.gapMax = this.gap[0];` (the other worker's gaps unseen);
 * in SharedVLock.prune, taking the largest gap over `w[i + 3] > 1` (the plain records) instead of the
 * range_end ones (`< 0`).
 *
 * The second test pins SharedVLock.prune's bound (session 17 (b)): once the range_end hold with the large
 * gap is pruned, gapMax is the largest gap of those left, not the largest since the window last emptied
 * (it fails with the override removed: the bound stays at the pruned hold's gap).
 */
import { describe, expect, it } from 'vitest';
import { sharedVLockBytes, SharedVLock } from '../../engine/core/sync/vlockShared.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';

interface Hold {
  arrival: number;
  start: number;
  end: number;
  aging: boolean;
  span: boolean;
  worker: number;
}

/** xorshift32: a seeded sequence in [0, 1). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function refMeets(holds: Hold[], from: number, to: number, othersOnly: boolean, worker: number): boolean {
  return holds.some(
    (h) => !h.aging && h.end > from && (h.span ? h.arrival : h.start) < to && !(othersOnly && h.worker === worker),
  );
}

function run(seed: number): { queries: number; met: number; spanGapped: number } {
  const quantum = 2000;
  const sab = new SharedArrayBuffer(sharedVLockBytes(4096));
  const time = new Float64Array(8);
  time[TIME_QUANTUM_END] = quantum;
  const locks = [0, 1].map((wk) => new SharedVLock(0, new Float64Array(0), sab, time, quantum, wk));
  const rand = rng(seed);
  let holds: Hold[] = [];
  let now = 0;
  let queries = 0;
  let met = 0;
  let spanGapped = 0;
  const savedFloor = vclock.floor;
  try {
    for (let step = 0; step < 4000; step++) {
      const wk = rand() < 0.5 ? 0 : 1;
      const lock = locks[wk];
      const op = rand();
      // Requests arrive around `now`, some up to 800 ns late (booked after later ones).
      const t = now + (rand() - 0.8) * 1000;
      if (op < 0.2) {
        const aging = rand() < 0.2;
        const span = !aging && rand() < 0.4;
        const hold = 10 + Math.floor(rand() * 60);
        lock.spanFromArrival = span;
        const s = lock.write(t, hold, aging);
        lock.spanFromArrival = false;
        holds = holds.filter((h) => h.end > time[TIME_QUANTUM_END] - 2 * quantum);
        holds.push({ arrival: Math.min(t, s), start: s, end: s + hold, aging, span, worker: wk });
        if (span && s - t > 1) spanGapped++;
      } else if (op < 0.4) {
        lock.read(t, 5 + Math.floor(rand() * 50), false);
        holds = holds.filter((h) => h.end > time[TIME_QUANTUM_END] - 2 * quantum);
      } else {
        const from = t - rand() * 100;
        const to = from + rand() * 150;
        const others = rand() < 0.5;
        const got = lock.writeMeets(from, to, others);
        const want = refMeets(holds, from, to, others, wk);
        if (got !== want) throw new Error(`step ${step}: writeMeets(${from}, ${to}, ${others}) = ${got}, ref ${want}`);
        queries++;
        if (want) met++;
      }
      now += rand() * 80;
      // The serial section moves the quantum on: the floor follows (pruned at the next request).
      if (now > time[TIME_QUANTUM_END]) time[TIME_QUANTUM_END] += quantum;
    }
  } finally {
    vclock.floor = savedFloor;
  }
  return { queries, met, spanGapped };
}

describe('VLock.writeMeets on a shared calendar', () => {
  it('answers as a linear scan of every booked write hold', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const r = run(seed);
      // The sequences exercise both answers and range_end holds placed well after their arrival.
      expect(r.queries).toBeGreaterThan(1000);
      expect(r.met).toBeGreaterThan(50);
      expect(r.queries - r.met).toBeGreaterThan(50);
      expect(r.spanGapped).toBeGreaterThan(20);
    }
  });
});

describe('SharedVLock.prune', () => {
  it("keeps writeMeets' skip bound (gapMax) over the write records left in the window", () => {
    const quantum = 1000;
    const sab = new SharedArrayBuffer(sharedVLockBytes(256));
    const time = new Float64Array(8);
    time[TIME_QUANTUM_END] = quantum;
    const lock = new SharedVLock(0, new Float64Array(0), sab, time, quantum, 0);
    const gapMax = (): number => (lock as unknown as { gapMax: number }).gapMax;
    const rangeEnd = (t: number, hold: number): number => {
      lock.spanFromArrival = true;
      const s = lock.write(t, hold, false);
      lock.spanFromArrival = false;
      return s;
    };
    const savedFloor = vclock.floor;
    try {
      // A convoy: a write hold [100, 600), a range_end hold arriving at 110 granted at 600 (gap 490).
      lock.write(100, 500, false);
      expect(rangeEnd(110, 10)).toBe(600);
      // Next quantum: a hold [1,200, 1,240), booked first, then a range_end hold that arrived at 1,190,
      // granted behind it at 1,240 (gap 50).
      time[TIME_QUANTUM_END] = 2 * quantum;
      lock.write(1200, 40, false);
      expect(rangeEnd(1190, 20)).toBe(1240);
      expect(gapMax()).toBe(490);
      // Two quanta on, the floor (the previous quantum's start, 1,000) drops the convoy at the next
      // request; the bound is the gap left, and writeMeets still finds the range_end hold from its arrival.
      time[TIME_QUANTUM_END] = 3 * quantum;
      lock.read(1300, 5, false);
      expect(lock.pending.writes).toBe(2);
      expect(gapMax()).toBe(50);
      expect(lock.writeMeets(1100, 1195)).toBe(true);
      expect(lock.writeMeets(1100, 1190)).toBe(false);
    } finally {
      vclock.floor = savedFloor;
    }
  });
});
