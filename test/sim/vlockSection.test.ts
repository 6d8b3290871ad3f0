/**
 * VLock.enterSection on the shared MMU-lock calendar (sync/vlockShared.ts): the requests inside one
 * section (Guest.mapLocked's two mmu_invalidate_retry checks and its read hold) take the calendar's
 * mutex once, keep it held until the outermost exitSection, and book exactly what they book one by one.
 * Negative control (run by hand): SharedVLock.exit without its depth check (`if (--this.depth > 0)
 * return;` -> `--this.depth;`): the first request's exit releases the mutex inside the section, and the
 * test fails (mutex word seen [0, 0, 0], expected [1, 1, 1]). (Without enter's depth check instead, the
 * nested enter waits forever on the mutex its own section holds.)
 */
import { describe, expect, it } from 'vitest';
import { sharedVLockBytes, SharedVLock } from '../../engine/core/sync/vlockShared.ts';
import { nativeAtomicOps, setAtomicOps } from '../../engine/core/sync/atomics.ts';

const QUANTUM = 1e9;

function calendar(): { lock: SharedVLock; meta: Int32Array } {
  const sab = new SharedArrayBuffer(sharedVLockBytes(64));
  const time = new Float64Array(8).fill(QUANTUM); // the quantum ends at QUANTUM: nothing is pruned
  return { lock: new SharedVLock(0, new Float64Array(0), sab, time, QUANTUM), meta: new Int32Array(sab, 0, 8) };
}

/** A fault's requests after a write hold [100, 300): check over (50, 150), read at 150 for 20, check at the grant. */
function fault(lock: SharedVLock, meta: Int32Array, seen: number[]): number[] {
  const early = lock.writeMeets(50, 150);
  seen.push(meta[0]);
  const start = lock.read(150, 20, false);
  seen.push(meta[0]);
  const late = lock.writeMeets(50, start);
  seen.push(meta[0]);
  return [early ? 1 : 0, start, late ? 1 : 0];
}

/** Mutex acquisitions (compareExchange on the calendar's mutex word) while `f` runs. */
function acquisitions(meta: Int32Array, f: () => void): number {
  const base = nativeAtomicOps();
  let n = 0;
  const restore = setAtomicOps({
    compareExchange: (a, i, e, r) => {
      if (a.buffer === meta.buffer && a.byteOffset === meta.byteOffset && i === 0 && e === 0) n++;
      return base.compareExchange(a, i, e, r);
    },
  });
  try {
    f();
  } finally {
    restore();
  }
  return n;
}

describe('shared MMU-lock calendar: one section over a fault', () => {
  it('held from enterSection to exitSection, one acquisition, the same bookings as one by one', () => {
    const one = calendar();
    one.lock.write(100, 200, false);
    const seenOne: number[] = [];
    let byOne: number[] = [];
    expect(acquisitions(one.meta, () => (byOne = fault(one.lock, one.meta, seenOne)))).toBe(3);
    expect(seenOne).toEqual([0, 0, 0]); // released after each request

    const sec = calendar();
    sec.lock.write(100, 200, false);
    const seenSec: number[] = [];
    let bySec: number[] = [];
    expect(
      acquisitions(sec.meta, () => {
        sec.lock.enterSection();
        try {
          bySec = fault(sec.lock, sec.meta, seenSec);
        } finally {
          sec.lock.exitSection();
        }
      }),
    ).toBe(1);
    expect(seenSec).toEqual([1, 1, 1]); // held throughout
    expect(sec.meta[0]).toBe(0); // released at the end
    // Hand-computed: the write hold [100, 300) meets (50, 150) and the read waits for it: granted at 300.
    expect(byOne).toEqual([1, 300, 1]);
    expect(bySec).toEqual(byOne);
    // The calendar's window words were written back at the outermost exit: the same records.
    expect(Array.from(sec.meta.subarray(1, 5))).toEqual(Array.from(one.meta.subarray(1, 5)));
  });
});
