// Worker for bench/locks.ts: a vCPU taking access-flag faults (readLock + mkyoung) on random pages
// of the dense guest until told to stop. Reports faults done in a shared counter.
import { parentPort, workerData } from 'node:worker_threads';
import { attachArena, PAGE_SIZE } from '../engine/core/layout.ts';
import { handleAccessFlagFault, mmuAttach } from '../engine/core/kvm/mmu.ts';
import { rcuRegisterThread, rcuUnregisterThread } from '../engine/core/sync/rcu.ts';

interface Data {
  arena: SharedArrayBuffer;
  control: SharedArrayBuffer; // [0] stop, [1] faults done, [2] ready
  root: number;
  gfns: number;
}
const wd = workerData as Data;
const views = attachArena(wd.arena);
const control = new Int32Array(wd.control);
const rcu = rcuRegisterThread(views);
const m = mmuAttach(views, rcu, 0, wd.root);
let s = 12345;
Atomics.store(control, 2, 1);
while (Atomics.load(control, 0) === 0) {
  for (let i = 0; i < 256; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    handleAccessFlagFault(m, (s % wd.gfns) * PAGE_SIZE);
  }
  Atomics.add(control, 1, 256);
}
rcuUnregisterThread(rcu);
parentPort?.postMessage('done');
