/**
 * The virtual kvm->mmu_lock (sync/vlock.ts) against the rules of a queued rwlock, checked on random
 * request sequences against a slow reference that simulates the queue event by event, and with a
 * negative control: a reader-preferring lock (new readers pass a waiting writer) must fail the
 * fairness check, so the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
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
