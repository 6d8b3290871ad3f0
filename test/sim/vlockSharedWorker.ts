/**
 * Worker for test/sim/vlockSharedThreads.test.ts: books `n` write holds on one shared MMU-lock calendar
 * (sync/vlockShared.ts) at virtual times interleaving with the other workers', with chaos yields between
 * the mutex's atomics. Role 'broken' is the negative control: the same booking without the calendar's
 * mutex (meta read, VLock.writeReq, meta written back), so two workers' bookings can interleave.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { SharedVLock } from '../../engine/core/sync/vlockShared.ts';
import { installChaos, nap, spin } from '../stress/chaos.ts';
import { startBarrier } from '../core/lockShared.ts';

interface Data {
  sab: SharedArrayBuffer;
  time: SharedArrayBuffer;
  sync: SharedArrayBuffer;
  role: 'worker' | 'broken';
  index: number;
  workers: number;
  n: number;
  quantumNs: number;
  seed: number;
}
const wd = workerData as Data;
installChaos(wd.seed);
const lock = new SharedVLock(0, new Float64Array(0), wd.sab, new Float64Array(wd.time), wd.quantumNs);
const meta = new Int32Array(wd.sab, 0, 8);
const sync = new Int32Array(wd.sync);
vclock.floor = 0;
startBarrier(sync, 0, wd.workers);
// The fields enter/exit copy between the shared meta words and the calendar (vlockShared.ts layout).
const fields = lock as unknown as { wh: number; we: number; rh: number; re: number };
for (let i = 0; i < wd.n; i++) {
  lock.reqT = i * 10 * wd.workers + wd.index;
  lock.reqHold = 7;
  if (wd.role === 'worker') lock.writeReq(false);
  else {
    fields.wh = meta[1];
    fields.we = meta[2];
    fields.rh = meta[3];
    fields.re = meta[4];
    VLock.prototype.writeReq.call(lock, false);
    // The window a mutex would close, widened as chaos widens it around the real mutex's atomics.
    if (i % 16 === 0) nap();
    else spin(50);
    meta[1] = fields.wh;
    meta[2] = fields.we;
    meta[3] = fields.rh;
    meta[4] = fields.re;
  }
}
parentPort?.postMessage({ ops: wd.n });
