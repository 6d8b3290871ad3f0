/**
 * The shared MMU-lock calendar's views (sync/vlockShared.ts): they span a prefix of the buffer, doubled by
 * the private calendar's rule (vlockCalendar.ts room), so a window that stays small stays in the buffer's first
 * pages instead of walking through its whole capacity (each new page a page fault), and a doubling by one
 * worker reaches the other's views at its next request. Both checked against a private VLock fed the same
 * requests (same grants): where the window lies changes nothing.
 * Negative controls (run by hand): views over the whole capacity (`this.span(this.cap)` in the
 * constructor, the old layout) fail the first test (write records reached word 16,384 of the buffer, the
 * test allows 1,024: the window walked through the whole capacity); without the refresh in enter
 * (`if (m[M_LIM] !== 0 ...)` removed) the second fails (B's view is shorter than A's window: B's room
 * halves the span and throws "shared MMU-lock calendar full").
 */
import { describe, expect, it } from 'vitest';
import {
  SHARED_INITIAL_RECORDS,
  SHARED_VLOCK_RECORDS_AT,
  sharedVLockBytes,
  SharedVLock,
} from '../../engine/core/sync/vlockShared.ts';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';

const QUANTUM = 1000;
const CAP = 4096;

/** Words of the buffer's write region (stride 4) and read region (stride 2) after the meta words. */
function regions(sab: SharedArrayBuffer): { w: Float64Array; r: Float64Array; meta: Int32Array } {
  const at = SHARED_VLOCK_RECORDS_AT;
  return {
    meta: new Int32Array(sab, 0, at / 4),
    w: new Float64Array(sab, at, CAP * 4),
    r: new Float64Array(sab, at + CAP * 4 * 8, CAP * 2),
  };
}

/** Index past the last nonzero word of a (0 when all zero). */
function reached(a: Float64Array): number {
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== 0) return i + 1;
  return 0;
}

describe('shared MMU-lock calendar: views over a prefix of the buffer', () => {
  it('a pruned window stays in the first records; grants as a private calendar', () => {
    const sab = new SharedArrayBuffer(sharedVLockBytes(CAP));
    const time = new Float64Array(8);
    const lock = new SharedVLock(0, new Float64Array(0), sab, time, QUANTUM);
    const ref = new VLock(0);
    const got: number[] = [];
    const want: number[] = [];
    // 20,000 requests (ten times the capacity's worth of records): a read of 40 ns at t = 100 i and a write
    // of 40 ns arriving at t + 10, which waits for the read; the floor (TIME_QUANTUM_END - 2 quanta) follows
    // 300 ns behind, so only the last few holds stay.
    for (let i = 0; i < 10_000; i++) {
      const t = i * 100;
      time[TIME_QUANTUM_END] = t - 300 + 2 * QUANTUM;
      vclock.floor = t - 300;
      want.push(ref.read(t, 40, false), ref.write(t + 10, 40, false));
      got.push(lock.read(t, 40, false), lock.write(t + 10, 40, false));
    }
    expect(want.slice(0, 4)).toEqual([0, 40, 100, 140]); // each write waited for its read
    expect(got).toEqual(want);
    const { w, r, meta } = regions(sab);
    expect(meta[5]).toBe(0); // never doubled
    expect(reached(w)).toBeLessThanOrEqual(SHARED_INITIAL_RECORDS * 4);
    expect(reached(r)).toBeLessThanOrEqual(SHARED_INITIAL_RECORDS * 2);
  });

  it("one worker's doubling reaches the other's views", () => {
    const sab = new SharedArrayBuffer(sharedVLockBytes(CAP));
    const time = new Float64Array(8).fill(QUANTUM); // floor -QUANTUM: nothing is pruned
    const a = new SharedVLock(0, new Float64Array(0), sab, time, QUANTUM, 0);
    const b = new SharedVLock(0, new Float64Array(0), sab, time, QUANTUM, 1);
    const ref = new VLock(0);
    vclock.floor = -QUANTUM;
    const got: number[] = [];
    const want: number[] = [];
    // 1,200 write holds of 7 ns at times 10 apart: worker A books the even slots (its window of 600 records
    // doubles the views twice, to 1,024 records), then B the odd ones, each inserted in the middle of the
    // window, which already lies beyond B's first view.
    for (const [lock, odd] of [
      [a, 0],
      [b, 1],
    ] as const)
      for (let k = odd; k < 1200; k += 2) {
        got.push(lock.write(k * 10, 7, false));
        want.push(ref.write(k * 10, 7, false));
      }
    expect(got).toEqual(want);
    const { meta } = regions(sab);
    expect(meta[5]).toBeGreaterThan(SHARED_INITIAL_RECORDS);
    expect((meta[2] - meta[1]) / 4).toBe(1200);
  });
});
