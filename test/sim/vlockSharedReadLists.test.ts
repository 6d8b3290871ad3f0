/**
 * The shared MMU-lock calendar's read holds, one list per worker (sync/vlockShared.ts): a worker's read
 * holds go to its own list, so a worker booking reads at virtual times before the other worker's appends
 * to its own list instead of shifting the other's; a writer passes the read holds of every list. The
 * grants are those of one calendar holding every hold: checked against a private VLock fed the same
 * requests (reads and writes of two workers in random order, arriving out of order, integer times and
 * lengths so holds often touch exactly).
 * Negative controls (run by hand, session 11):
 * - SharedVLock.pastReaders not overridden (a writer passes its own worker's reads only): both fail
 *   ("seed 1 step 20: worker 0 granted 323, one calendar 370": a write inside the other worker's read hold).
 * - SharedVLock.enter setting othersReadEnd to -Infinity whatever the other lists hold (writeReq's fast
 *   path blind to them): "grants as one calendar" fails.
 * - both copies on list 0 (`this.r = this.listView(0)` in span, the one-list layout): both fail (B's
 *   bookings shift A's holds: words of A's region changed).
 */
import { describe, expect, it } from 'vitest';
import { SHARED_VLOCK_RECORDS_AT, sharedVLockBytes, SharedVLock } from '../../engine/core/sync/vlockShared.ts';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';
import { rng } from '../rng.ts';

const QUANTUM = 2000;
const CAP = 4096;

function twoWorkers(): { sab: SharedArrayBuffer; time: Float64Array; locks: SharedVLock[] } {
  const sab = new SharedArrayBuffer(sharedVLockBytes(CAP, 2));
  const time = new Float64Array(8);
  time[TIME_QUANTUM_END] = QUANTUM;
  const locks = [0, 1].map((wk) => new SharedVLock(0, new Float64Array(0), sab, time, QUANTUM, wk, 2));
  return { sab, time, locks };
}

function run(seed: number): { grants: number; waitedForReads: number } {
  const { time, locks } = twoWorkers();
  const ref = new VLock(0);
  const rand = rng(seed);
  let now = 0;
  let waitedForReads = 0;
  const saved = vclock.floor;
  try {
    for (let step = 0; step < 3000; step++) {
      const wk = rand() < 0.5 ? 0 : 1;
      // Arrivals around `now`, some up to 600 ns before the latest booked (the worker behind in the quantum).
      const t = Math.round(now + (rand() - 0.6) * 1000);
      const hold = 1 + Math.floor(rand() * 60);
      // The private calendar prunes at the shared one's floor (SharedVLock.enter: the previous quantum's start).
      vclock.floor = time[TIME_QUANTUM_END] - 2 * QUANTUM;
      let want: number;
      let got: number;
      if (rand() < 0.3) {
        const aging = rand() < 0.3;
        want = ref.write(t, hold, aging);
        got = locks[wk].write(t, hold, aging);
        if (got > t) waitedForReads++;
      } else {
        want = ref.read(t, hold, false);
        got = locks[wk].read(t, hold, false);
      }
      if (got !== want) throw new Error(`seed ${seed} step ${step}: worker ${wk} granted ${got}, one calendar ${want}`);
      now += rand() * 40;
      if (now > time[TIME_QUANTUM_END]) time[TIME_QUANTUM_END] += QUANTUM;
    }
  } finally {
    vclock.floor = saved;
  }
  return { grants: 3000, waitedForReads };
}

describe('shared MMU-lock calendar: a read list per worker', () => {
  it('grants as one calendar', () => {
    let waited = 0;
    for (let seed = 1; seed <= 8; seed++) waited += run(seed).waitedForReads;
    expect(waited).toBeGreaterThan(100); // writers did queue behind holds (the case the lists must get right)
  });

  it("the other worker's list is not moved", () => {
    const { sab, time, locks } = twoWorkers();
    time[TIME_QUANTUM_END] = 2 * QUANTUM; // the floor at 0: nothing pruned
    const saved = vclock.floor;
    try {
      // Worker A books read holds of 10 ns at 0, 100, ..., 9,900 (50 intervals), then B books holds at 50, 150,
      // ..., each before A's latest: with one list each would be inserted in the middle of A's.
      for (let i = 0; i < 100; i++) locks[0].read(i * 100, 10, false);
      const aRegion = new Float64Array(sab, SHARED_VLOCK_RECORDS_AT + CAP * 4 * 8, 200);
      const before = Float64Array.from(aRegion);
      expect(before[0]).toBe(0);
      expect(before[199]).toBe(9910);
      for (let i = 0; i < 100; i++) expect(locks[1].read(i * 100 + 50, 10, false)).toBe(i * 100 + 50);
      expect(Array.from(aRegion)).toEqual(Array.from(before));
      // The union's gaps are 40 ns ([0, 10], [50, 60], [100, 110], ...): a writer of 40 ns from 0 (worker B)
      // fits the first, after A's hold; one of 45 ns (worker A, queued behind it) fits none before the end.
      expect(locks[1].write(0, 40, false)).toBe(10);
      expect(locks[0].write(0, 45, false)).toBe(9960);
    } finally {
      vclock.floor = saved;
    }
  });
});
