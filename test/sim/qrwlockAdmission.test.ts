/**
 * qrwlock's serial admission of queued readers (sync/vlock.ts `admitNs`; kernel/locking/qrwlock.c
 * queued_read_lock_slowpath): a reader that finds a writer holding or waiting queues on wait_lock, adds its
 * bias to cnts once it owns wait_lock, spins until the writer's release and only then hands wait_lock to the
 * next. The readers queued behind one writer are admitted one after another from its release; a reader
 * arriving after the release takes the fast path (no writer bits in cnts) and is not queued.
 *
 * Constructed calendar, hand-computed, admission 40 ns:
 * - W [0, 100); readers at 10, 20, 30 (hold 50) queue behind it: granted 100, 140, 180.
 * - A reader at 120 (after W's release): fast path, 120.
 * - A writer at 150 waits for the read holds to drain: [100, 230), so granted 230, hold 10.
 * - A reader at 231 queues behind that writer: a new queue, granted at its release, 240.
 * Also across two SharedVLock copies on one buffer (two workers): the queue's state is shared, so the
 * second worker's reader is admitted after the first worker's.
 * Negative control: admission 0 (the old rule: every queued reader granted at the release) gives 100, 100,
 * 100, 120, 170, 231 and fails both; so does not sharing admitEnd/admitNext in SharedVLock.enter (checked by
 * hand: the second worker's reader is granted at 100).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { sharedVLockBytes, SharedVLock } from '../../engine/core/sync/vlockShared.ts';
import { TIME_QUANTUM_END } from '../../engine/core/sim/simLayout.ts';

afterEach(() => {
  vclock.floor = 0;
});

function book(l: VLock): number[] {
  vclock.floor = 0;
  return [
    l.write(0, 100, true),
    l.read(10, 50, false),
    l.read(20, 50, false),
    l.read(30, 50, false),
    l.read(120, 50, false),
    l.write(150, 10, false),
    l.read(231, 5, false),
  ];
}

describe('qrwlock reader admission (queued_read_lock_slowpath)', () => {
  it('admits the readers queued behind a writer one at a time from its release', () => {
    const l = new VLock(0);
    l.admitNs = 40;
    expect(book(l)).toEqual([0, 100, 140, 180, 120, 230, 240]);
  });

  it('with no admission cost every queued reader is granted at the release (the old rule)', () => {
    expect(book(new VLock(0))).toEqual([0, 100, 100, 100, 120, 170, 231]);
  });

  it('shares the queue between the workers of a spread run', () => {
    const sab = new SharedArrayBuffer(sharedVLockBytes(256));
    const time = new Float64Array(8);
    time[TIME_QUANTUM_END] = 1e6;
    const [a, b] = [0, 1].map((wk) => new SharedVLock(0, new Float64Array(0), sab, time, 1e6, wk));
    a.admitNs = 40;
    b.admitNs = 40;
    vclock.floor = 0;
    expect([a.write(0, 100, true), a.read(10, 50, false), b.read(20, 50, false), a.read(30, 50, false)]).toEqual([
      0, 100, 140, 180,
    ]);
  });
});
