/**
 * The virtual kvm->mmu_lock (sync/vlock.ts) against the rules of a queued rwlock, checked on random
 * request sequences against a slow reference that simulates the queue event by event, and with a
 * negative control: a reader-preferring lock (new readers pass a waiting writer) must fail the
 * fairness check, so the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { VLock, log2Bucket, vclock } from '../../engine/core/sync/vlock.ts';
import { LH_WORDS } from '../../engine/core/sim/simLayout.ts';
import { VLockRef, log2BucketRef } from './vlockRef.ts';
import { Prng } from '../../engine/core/sim/prng.ts';

interface Hold {
  write: boolean;
  arrival: number;
  start: number;
  end: number;
}

/** Every pair of holds that may not overlap (write/any) is disjoint. */
function mutualExclusion(holds: Hold[]): string[] {
  const bad: string[] = [];
  for (let i = 0; i < holds.length; i++)
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i];
      const b = holds[j];
      if ((a.write || b.write) && a.start < b.end && b.start < a.end) bad.push(`${i}/${j}`);
    }
  return bad;
}

/** qrwlock fairness: no reader is granted while a writer that arrived before it has not released. */
function fairness(holds: Hold[]): string[] {
  const bad: string[] = [];
  for (const r of holds)
    if (!r.write)
      for (const w of holds)
        if (w.write && w.arrival <= r.arrival && r.start < w.end && w.arrival !== r.arrival) bad.push(`r@${r.arrival}`);
  return bad;
}

/** A reader-preferring lock (the negative control): readers pass waiting writers. */
class ReaderPreferring {
  private holds: Hold[] = [];
  read(t: number, hold: number): number {
    let s = t;
    for (let moved = true; moved;) {
      moved = false;
      for (const h of this.holds)
        if (h.write && h.start < s + hold && s < h.end) {
          s = h.end;
          moved = true;
        }
    }
    this.holds.push({ write: false, arrival: t, start: s, end: s + hold });
    return s;
  }
  write(t: number, hold: number): number {
    let s = t;
    for (let moved = true; moved;) {
      moved = false;
      for (const h of this.holds)
        if (h.start < s + hold && s < h.end) {
          s = h.end;
          moved = true;
        }
    }
    this.holds.push({ write: true, arrival: t, start: s, end: s + hold });
    return s;
  }
}

type Lock = {
  read(t: number, hold: number, aging: boolean): number;
  write(t: number, hold: number, aging: boolean): number;
};

/** Requests in arrival order (as the scheduler issues them), random kinds and hold lengths. */
function drive(lock: Lock, seed: number, n: number): Hold[] {
  const prng = new Prng(seed, 0);
  const holds: Hold[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += prng.nextBelow(400);
    vclock.floor = t;
    const write = prng.nextFloat() < 0.3;
    const hold = 50 + prng.nextBelow(write ? 2000 : 200);
    const start = write ? lock.write(t, hold, false) : lock.read(t, hold, false);
    holds.push({ write, arrival: t, start, end: start + hold });
  }
  return holds;
}

describe('virtual MMU lock (qrwlock in virtual time)', () => {
  it.each([1, 2, 3])('seed %i: mutual exclusion and writer-first fairness hold', (seed) => {
    const holds = drive(new VLock(0), seed, 600);
    expect(mutualExclusion(holds)).toEqual([]);
    expect(fairness(holds)).toEqual([]);
    expect(holds.some((h) => h.start > h.arrival)).toBe(true); // there was contention
  });

  it('negative control: a reader-preferring lock breaks the fairness check (but not mutual exclusion)', () => {
    const holds = drive(new ReaderPreferring(), 1, 600);
    expect(mutualExclusion(holds)).toEqual([]);
    expect(fairness(holds).length).toBeGreaterThan(0);
  });

  it('a waiting writer blocks a later reader; readers share; a later writer waits for the readers', () => {
    vclock.floor = 0;
    const l = new VLock(0);
    expect(l.read(0, 100, false)).toBe(0); // reader holds [0, 100)
    expect(l.read(10, 100, false)).toBe(10); // readers share
    expect(l.write(20, 50, false)).toBe(110); // waits for both readers: [110, 160)
    expect(l.read(30, 10, false)).toBe(160); // arrived while the writer waited: after it
    expect(l.write(200, 10, false)).toBe(200);
  });

  it('holds recorded ahead in virtual time are honoured by an acquirer that runs later but is earlier', () => {
    vclock.floor = 0;
    const l = new VLock(0);
    // A long direct reclaim booked a write hold [1000, 2000) before a vCPU at t = 900 asks for 200 ns.
    l.write(1000, 1000, false);
    expect(l.read(900, 200, false)).toBe(2000); // [900, 1100) would overlap the write hold
    expect(l.read(700, 100, false)).toBe(700); // fits before it
  });

  it('forgets holds that ended before the scheduler floor', () => {
    const l = new VLock(0);
    vclock.floor = 0;
    for (let i = 0; i < 50; i++) l.write(i * 100, 10, false);
    expect(l.pending.writes).toBe(50);
    vclock.floor = 2500;
    l.read(2500, 1, false);
    expect(l.pending.writes).toBe(25);
  });
});

describe('typed-array VLock against its reference model (vlockRef.ts, the first implementation)', () => {
  /**
   * Several actors at their own clocks ask in an interleaved real-time order (so requests come out
   * of virtual-time order, and long write holds are booked ahead), the floor is the smallest clock:
   * grants, aging waits, pending counts and histograms must be identical, bit for bit.
   */
  it.each([1, 2, 3, 4, 5, 6])('seed %i: identical grants, aging waits and histograms', (seed) => {
    const prng = new Prng(seed, 7);
    const hist = new Float64Array(2 * LH_WORDS);
    const histRef = new Float64Array(2 * LH_WORDS);
    vclock.floor = 0;
    const lock = new VLock(1, hist);
    const ref = new VLockRef(1, histRef);
    const clocks = [0, 0, 0, 0];
    let moved = 0;
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const a = prng.nextBelow(clocks.length);
      // Often at once after its last hold (touching read holds merge).
      if (prng.nextFloat() < 0.6) clocks[a] += prng.nextFloat() * 900;
      vclock.floor = Math.min(...clocks);
      const write = prng.nextFloat() < 0.35;
      const aging = write && prng.nextFloat() < 0.3;
      // Fractional and integer lengths, some near powers of two (histogram bucket edges).
      const hold =
        prng.nextFloat() < 0.2 ? 2 ** (1 + prng.nextBelow(12)) - prng.nextFloat() * 1e-6 : 10 + prng.nextFloat() * 3000;
      const t = clocks[a];
      const s = write ? lock.write(t, hold, aging) : lock.read(t, hold, aging);
      const sRef = write ? ref.write(t, hold, aging) : ref.read(t, hold, aging);
      got.push(s, lock.agingWaitNs, lock.pending.writes, lock.pending.reads);
      want.push(sRef, ref.agingWaitNs, ref.pending.writes, ref.pending.reads);
      if (s > t) moved++;
      clocks[a] = s + hold;
    }
    expect(got).toEqual(want);
    expect(hist).toEqual(histRef);
    expect(moved).toBeGreaterThan(1000); // contention happened
  });

  it('log2Bucket equals the Math.log2 form everywhere, including just below powers of two', () => {
    const xs: number[] = [0, 0.5, 1, 1.5, 2, 3, 1e9, 2 ** 31, 2 ** 40, 2 ** 60, NaN];
    for (let k = 0; k < 50; k++)
      for (const d of [0, 1e-12, 1e-9, 1e-6, 0.5, 1]) xs.push(2 ** k - d * 2 ** Math.max(0, k - 40), 2 ** k + d);
    const prng = new Prng(9, 0);
    for (let i = 0; i < 100_000; i++) xs.push(prng.nextFloat() * 2 ** prng.nextBelow(45));
    const bad = xs.filter((x) => log2Bucket(x) !== log2BucketRef(x));
    expect(bad).toEqual([]);
  });
});

/**
 * VLock.readFifo: a read request booked late (MmuInvalidate.settle books a spread run's settled re-faults a
 * quantum after their time) waits for the write holds that arrived at or before it (queued ahead of it in
 * qrwlock's FIFO queue) and not for those that arrived after it. Hand-computed: W1 arrives at 100 and holds
 * [100, 200); W2 arrives at 190, queued behind W1: [200, 300); W3 arrives at 250: [300, 400). A read at 195
 * for 50 ns: W1 and W2 are ahead of it, W3 behind it: granted at 300. Negative control: read() (the request
 * honours every hold booked before it in real time, the settlement's former booking) passes W3 too: 400.
 */
describe('VLock.readFifo: a late read waits only for the writers that arrived before it', () => {
  const convoy = (): VLock => {
    vclock.floor = 0;
    const v = new VLock(0);
    expect(v.write(100, 100, false)).toBe(100);
    expect(v.write(190, 100, false)).toBe(200);
    expect(v.write(250, 100, false)).toBe(300);
    return v;
  };

  it('granted after W1 and W2, before W3', () => {
    expect(convoy().readFifo(195, 50)).toBe(300);
    // Before every writer's arrival but W1's end: only W1 is ahead.
    expect(convoy().readFifo(150, 20)).toBe(200);
    // Before W1 arrived: nothing ahead.
    expect(convoy().readFifo(50, 20)).toBe(50);
  });

  it('negative control: read() yields to W3 as well', () => {
    expect(convoy().read(195, 50, false)).toBe(400);
    expect(convoy().read(195, 50, false)).not.toBe(convoy().readFifo(195, 50));
  });
});
