/**
 * The virtual kvm->mmu_lock (sync/vlock.ts) against an event-ordered qrwlock (qrwlockRef.ts): fed in
 * arrival order, as the scheduler books requests, the calendar grants every request exactly when
 * queued_read_lock / queued_write_lock would, so every waiter's wait (grant - arrival) is the kernel's.
 * Negative controls: a lock whose readers pass a waiting writer (fairness bug injected) differs from the
 * reference; and the calendar itself differs when a later request is booked first (the booking order
 * the scheduler must avoid: Guest.fault's PHASE_MAP_LOCK, Pgdat.directReclaimStep).
 */
import { describe, expect, it } from 'vitest';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { Prng } from '../../engine/core/sim/prng.ts';
import { qrwlockGrants, type QRequest } from './qrwlockRef.ts';

/** Random requests with increasing arrivals; kinds and holds as the lab's (short reads, longer writes). */
function requests(seed: number, n: number, writeFraction: number): QRequest[] {
  const prng = new Prng(seed, 0);
  const out: QRequest[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += 1 + prng.nextBelow(300);
    const write = prng.nextFloat() < writeFraction;
    out.push({ write, t, hold: 20 + prng.nextBelow(write ? 1500 : 400) });
  }
  return out;
}

interface Booker {
  read(t: number, hold: number, aging: boolean): number;
  write(t: number, hold: number, aging: boolean): number;
}

/** Grant times of `reqs` booked in the order `order` (indices), the floor at each request's time. */
function book(lock: Booker, reqs: QRequest[], order: number[] = reqs.map((_, i) => i)): number[] {
  const out = new Array<number>(reqs.length);
  for (const i of order) {
    const r = reqs[i];
    // No request still to be booked is earlier than the floor.
    vclock.floor = Math.min(...order.slice(order.indexOf(i)).map((j) => reqs[j].t));
    out[i] = r.write ? lock.write(r.t, r.hold, false) : lock.read(r.t, r.hold, false);
  }
  vclock.floor = 0;
  return out;
}

/** The injected bug: readers wait only for a writer that holds, not one that waits (no _QW_WAITING). */
class NoWaitingBit implements Booker {
  private holds: { write: boolean; start: number; end: number }[] = [];
  read(t: number, hold: number): number {
    let s = t;
    for (let moved = true; moved;) {
      moved = false;
      for (const h of this.holds)
        if (h.write && h.start <= s && s < h.end) {
          s = h.end;
          moved = true;
        }
    }
    this.holds.push({ write: false, start: s, end: s + hold });
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
    this.holds.push({ write: true, start: s, end: s + hold });
    return s;
  }
}

const mismatches = (a: number[], b: number[]): number => a.filter((x, i) => x !== b[i]).length;

describe('virtual MMU lock against an event-ordered qrwlock (qrwlockRef.ts)', () => {
  it.each([
    [1, 0.1],
    [2, 0.3],
    [3, 0.5],
    [4, 0.3],
    [5, 0.05],
  ])('seed %i, write fraction %f: identical grants when booked in arrival order', (seed, wf) => {
    const reqs = requests(seed, 800, wf);
    const ref = qrwlockGrants(reqs).map((g) => g.start);
    const got = book(new VLock(0), reqs);
    expect(mismatches(got, ref)).toBe(0);
    // The sequence exercises the queue: readers waited behind a waiting writer, writers behind readers.
    const waited = reqs.filter((r, i) => ref[i] > r.t);
    expect(waited.some((r) => r.write)).toBe(true);
    expect(waited.some((r) => !r.write)).toBe(true);
  });

  it('negative control: readers that pass a waiting writer (no _QW_WAITING) differ from the reference', () => {
    const reqs = requests(2, 800, 0.3);
    const ref = qrwlockGrants(reqs).map((g) => g.start);
    expect(mismatches(book(new NoWaitingBit(), reqs), ref)).toBeGreaterThan(0);
  });

  it('negative control: a later request booked first (out of arrival order) makes the earlier one yield to it', () => {
    // A vCPU's read hold at 10,000 (after a swap-in) booked before kswapd's write request at 9,900:
    // qrwlock grants the writer at 9,900 and makes the reader wait; the calendar cannot move the
    // booked read, so the writer yields and the reader's wait is lost.
    const reqs: QRequest[] = [
      { write: false, t: 10_000, hold: 200 },
      { write: true, t: 9_900, hold: 300 },
    ];
    const ref = qrwlockGrants(reqs).map((g) => g.start);
    expect(ref).toEqual([10_200, 9_900]);
    expect(book(new VLock(0), reqs, [1, 0])).toEqual(ref); // arrival order: exact
    expect(book(new VLock(0), reqs, [0, 1])).toEqual([10_000, 10_200]); // the old booking
  });

  it('the booking-order diagnostics count late requests and those moved past a later-arriving writer', () => {
    const reqs: QRequest[] = [
      { write: true, t: 10_000, hold: 300 },
      { write: false, t: 9_900, hold: 200 },
      { write: false, t: 20_000, hold: 10 },
    ];
    const inOrder = new VLock(0);
    book(inOrder, reqs, [1, 0, 2]);
    expect([inOrder.lateN, inOrder.yieldedN]).toEqual([0, 0]);
    const late = new VLock(0);
    expect(book(late, reqs, [0, 1, 2])).toEqual([10_000, 10_300, 20_000]); // qrwlock: [10_100, 9_900, 20_000]
    expect([late.lateN, late.lateMaxNs, late.yieldedN, late.yieldedNs]).toEqual([1, 100, 1, 400]);
  });

  it('random out-of-order bookings diverge from the reference (the order contract matters)', () => {
    const reqs = requests(3, 400, 0.3);
    const ref = qrwlockGrants(reqs).map((g) => g.start);
    // Swap neighbours: each later request booked before the earlier one.
    const order = reqs.map((_, i) => i);
    for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1], order[i]];
    expect(mismatches(book(new VLock(0), reqs, order), ref)).toBeGreaterThan(0);
  });
});
