/**
 * Worker for test/core/mmuLock.test.ts. Writers bump a non-atomic pair (a, b) under writeLock;
 * readers check a === b under readLock. Both also count who is inside with atomics, so any
 * overlap of a writer with anyone else is counted as a violation.
 * Role 'brokenWriter' is the negative control: it "locks" by setting only the writer bit
 * (excluding other writers and new readers) but never waits for readers already inside.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { attachArena } from '../../engine/core/layout.ts';
import { atomics } from '../../engine/core/sync/atomics.ts';
import { LOCK_SEQ, LOCK_STATE, LOCK_WAITERS } from '../../engine/core/layout.ts';
import {
  LOCK_WRITER,
  attachMmuLock,
  readLock,
  readUnlock,
  writeLock,
  writeUnlock,
} from '../../engine/core/kvm/mmuLock.ts';
import type { MmuLock } from '../../engine/core/kvm/mmuLock.ts';
import { installChaos, nap, spin } from '../stress/chaos.ts';
import { rng } from '../rng.ts';
import { D, startBarrier, type LockWorkerData, type LockWorkerResult } from './lockShared.ts';

const wd = workerData as LockWorkerData;
const views = attachArena(wd.arena);
const data = new Int32Array(wd.data);
const rand = rng(wd.seed);
if (wd.chaos) installChaos(wd.seed ^ 0x9e3779b9);
const lock = attachMmuLock(views, wd.lockId, { now: () => performance.now(), spins: wd.spins });

function brokenWriteLock(l: MmuLock): void {
  while ((atomics.or(l.i32, l.base + LOCK_STATE, LOCK_WRITER) & LOCK_WRITER) !== 0) spin(10);
}
function brokenWriteUnlock(l: MmuLock): void {
  atomics.and(l.i32, l.base + LOCK_STATE, ~LOCK_WRITER);
  if (atomics.load(l.i32, l.base + LOCK_WAITERS) > 0) {
    atomics.add(l.i32, l.base + LOCK_SEQ, 1);
    atomics.notify(l.i32, l.base + LOCK_SEQ);
  }
}

function writer(broken: boolean): number {
  // At least `iterations`, and until every reader has done its minimum: overlap is certain.
  let i = 0;
  for (; i < wd.iterations || atomics.load(data, D.readersDone) < wd.readers; i++) {
    if (broken) brokenWriteLock(lock);
    else writeLock(lock);
    if (atomics.add(data, D.writersInside, 1) !== 0 || atomics.load(data, D.readersInside) !== 0) {
      atomics.add(data, D.violations, 1);
    }
    data[D.a] = data[D.a] + 1; // plain, non-atomic: the lock must make it safe
    if (rand() < 0.02) nap();
    else spin(wd.holdSpin);
    data[D.b] = data[D.b] + 1;
    atomics.sub(data, D.writersInside, 1);
    if (broken) brokenWriteUnlock(lock);
    else writeUnlock(lock);
    spin(wd.gapSpin);
  }
  return i;
}

function reader(): number {
  let n = 0;
  while (n < wd.iterations || atomics.load(data, D.stop) === 0) {
    readLock(lock);
    atomics.add(data, D.readersInside, 1);
    if (atomics.load(data, D.writersInside) !== 0) atomics.add(data, D.violations, 1);
    const a = data[D.a];
    // Sometimes sleep holding the lock: a writer that does not wait for readers gets in for sure.
    if (rand() < 0.05) nap();
    else spin(wd.holdSpin);
    if (data[D.b] !== a) atomics.add(data, D.violations, 1);
    atomics.sub(data, D.readersInside, 1);
    readUnlock(lock);
    spin(wd.gapSpin);
    n++;
    if (n === wd.iterations) atomics.add(data, D.readersDone, 1);
  }
  return n;
}

startBarrier(data, D.ready, wd.workers);
const ops = wd.role === 'reader' ? reader() : writer(wd.role === 'brokenWriter');
const result: LockWorkerResult = { ops };
parentPort?.postMessage(result);
