// `npm run bench -- locks`: MMU lock and RCU figures.
//   - testClearYoung PTEs/s on a densely mapped 1 GiB guest: lockless (rcuReadLock) vs under the
//     MMU lock (read, write); alone, and with a vCPU worker taking access-flag faults (readLock)
//     meanwhile, whose fault rate shows what each harvest mode costs the guest
//   - rcuReadLock + rcuReadUnlock pairs/s
//   - uncontended lock acquire + release pairs/s (read, write; with and without the clock)
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { createArena } from '../engine/core/layout.ts';
import { mmuInit, mmuTestClearYoung, type AgingLock } from '../engine/core/kvm/mmu.ts';
import { attachMmuLock, readLock, readUnlock, writeLock, writeUnlock } from '../engine/core/kvm/mmuLock.ts';
import { rcuReadLock, rcuReadUnlock, rcuRegisterThread } from '../engine/core/sync/rcu.ts';
import { fmt, GUEST_GFNS, mapDenseGuest, rate } from './_util.ts';

const views = createArena({ tablePages: 1024, maxThreads: 4, maxLocks: 1 });
const rcu = rcuRegisterThread(views);
const m = mmuInit(views, rcu, 0, { now: () => performance.now() });
mapDenseGuest(m.pgt);
const bitmap = new Uint32Array(GUEST_GFNS / 32);
/** One test-only pass over the whole guest (bits clear: AF stays, the work is the same every pass). */
const pass = (how: AgingLock): number => {
  bitmap.fill(0);
  mmuTestClearYoung(m, how, 0, GUEST_GFNS, GUEST_GFNS - 1, bitmap);
  return GUEST_GFNS;
};
const MODES: AgingLock[] = ['lockless', 'read', 'write'];

// ---- testClearYoung, alone ------------------------------------------------------------
for (const how of MODES) for (let i = 0; i < 10; i++) pass(how); // warm up every path before timing
for (const how of MODES) {
  const r = rate(10, () => pass(how));
  console.log(`testClearYoung ${how.padEnd(8)} (whole 1 GiB, test only, alone):      ${fmt(r)}PTEs/s`);
}

// ---- testClearYoung with a vCPU taking access-flag faults -------------------------------
{
  const control = new Int32Array(new SharedArrayBuffer(16));
  const w = new Worker(path.join(process.cwd(), '.cache', 'workers', 'bench-locks-vcpu.mjs'), {
    workerData: { arena: views.sab, control: control.buffer, root: m.pgt.root, gfns: GUEST_GFNS },
  });
  const exited = new Promise((resolve) => w.on('exit', resolve));
  while (Atomics.load(control, 2) === 0) Atomics.wait(control, 3, 0, 1);
  // Warm up both threads in every mode first, so the first measured mode is not penalised.
  for (const how of MODES) for (const t0 = performance.now(); performance.now() - t0 < 300;) pass(how);
  for (const how of MODES) {
    const f0 = Atomics.load(control, 1);
    const t0 = performance.now();
    let ptes = 0;
    while (performance.now() - t0 < 1000) ptes += pass(how);
    const s = (performance.now() - t0) / 1000;
    const faults = (Atomics.load(control, 1) - f0) / s;
    console.log(
      `testClearYoung ${how.padEnd(8)} + 1 vCPU faulting:  ager ${fmt(ptes / s)}PTEs/s, vCPU ${fmt(faults)}AF faults/s`,
    );
  }
  Atomics.store(control, 0, 1);
  await exited;
}

// ---- RCU read side -----------------------------------------------------------------------
{
  const N = 1 << 22;
  const r = rate(5, () => {
    for (let i = 0; i < N; i++) {
      rcuReadLock(rcu);
      rcuReadUnlock(rcu);
    }
    return N;
  });
  console.log(`rcuReadLock + rcuReadUnlock (uncontended):                  ${fmt(r)}pairs/s`);
}

// ---- MMU lock, uncontended ---------------------------------------------------------------
{
  const N = 1 << 21;
  const timed = attachMmuLock(views, 0, { now: () => performance.now() });
  const bare = attachMmuLock(views, 0);
  for (const [name, l] of [
    ['no clock', bare],
    ['with clock', timed],
  ] as const) {
    const rd = rate(5, () => {
      for (let i = 0; i < N; i++) {
        readLock(l);
        readUnlock(l);
      }
      return N;
    });
    const wr = rate(5, () => {
      for (let i = 0; i < N; i++) {
        writeLock(l);
        writeUnlock(l);
      }
      return N;
    });
    console.log(`readLock + readUnlock (uncontended, ${name.padEnd(10)}):          ${fmt(rd)}pairs/s`);
    console.log(`writeLock + writeUnlock (uncontended, ${name.padEnd(10)}):        ${fmt(wr)}pairs/s`);
  }
}
