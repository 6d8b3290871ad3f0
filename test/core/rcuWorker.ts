/**
 * Worker for test/core/rcu.test.ts. Updaters replace a published object and free the old one
 * (poison it and put it back in their pool) after a grace period: through callRcu (+ rcuPoll,
 * rcuBarrier when the pool runs dry), through synchronizeRcu, or — the negative control —
 * immediately. Readers, inside rcuReadLock (sometimes nested), read the published object twice
 * with a pause between: a poisoned or changing object is a use-after-free, counted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { atomics } from '../../engine/core/sync/atomics.ts';
import { attachArena } from '../../engine/core/layout.ts';
import {
  callRcu,
  rcuBarrier,
  rcuPendingCallbacks,
  rcuPoll,
  rcuReadLock,
  rcuReadUnlock,
  rcuRegisterThread,
  rcuUnregisterThread,
  synchronizeRcu,
} from '../../engine/core/sync/rcu.ts';
import { installChaos, nap, spin } from '../stress/chaos.ts';
import { rng } from '../rng.ts';
import { startBarrier } from './lockShared.ts';
import { OBJ_WORDS, R, type RcuWorkerData, type RcuWorkerResult } from './rcuShared.ts';

const wd = workerData as RcuWorkerData;
const views = attachArena(wd.arena);
const data = new Int32Array(wd.data);
const rand = rng(wd.seed);
installChaos(wd.seed ^ 0x5bd1e995);
const t = rcuRegisterThread(views);
const POISON = -1;
const obj = (i: number): number => R.objects + i * OBJ_WORDS;

function updater(): number {
  const u = wd.updater;
  // Object u * pool is published by the test before start; the others are free.
  const free: number[] = [];
  for (let i = 1; i < wd.pool; i++) free.push(u * wd.pool + i);
  const release = (i: number) => (): void => {
    data[obj(i)] = POISON; // plain stores, like freeing memory
    spin(5);
    data[obj(i) + 1] = POISON;
    free.push(i);
  };
  // Run at least `iterations`, and until the readers have done as many sections: overlap is certain.
  let n = 0;
  while (++n <= wd.iterations || atomics.load(data, R.reads) < wd.workers - wd.updaters) {
    if (free.length === 0) rcuBarrier(t);
    const next = free.pop() as number;
    data[obj(next)] = n;
    data[obj(next) + 1] = n;
    const old = atomics.exchange(data, R.ptr + u, next); // publish (SC), unlink the old one
    if (wd.mode === 'callRcu') {
      callRcu(t, release(old));
      rcuPoll(t);
    } else if (wd.mode === 'synchronizeRcu') {
      synchronizeRcu(t);
      release(old)();
    } else {
      release(old)();
    }
  }
  rcuBarrier(t);
  return n - 1;
}

function readOnce(u: number): void {
  const p = atomics.load(data, R.ptr + u);
  const a = data[obj(p)];
  // Sometimes sleep inside the section: the updaters then run for sure while we hold `p`.
  if (rand() < 0.05) nap();
  else spin(30);
  const b = data[obj(p) + 1];
  if (a === POISON || b === POISON || a !== b) atomics.add(data, R.violations, 1);
}

function reader(): number {
  let n = 0;
  while (n < wd.iterations || atomics.load(data, R.stop) === 0) {
    const u = n % wd.updaters;
    rcuReadLock(t);
    readOnce(u);
    if (rand() < 0.3) {
      rcuReadLock(t); // nested sections extend the outer one
      readOnce(u);
      rcuReadUnlock(t);
    }
    readOnce(u);
    rcuReadUnlock(t);
    n++;
    if (n === wd.iterations) atomics.add(data, R.reads, 1);
  }
  return n;
}

startBarrier(data, R.ready, wd.workers);
const ops = wd.role === 'reader' ? reader() : updater();
const result: RcuWorkerResult = { ops, pendingAtEnd: rcuPendingCallbacks(t) };
rcuUnregisterThread(t);
parentPort?.postMessage(result);
