/**
 * Page-flags stress worker (pageFlags.stress.test.ts): one of the two writers of a spread run's page
 * flags bytes, on a shared Uint8Array, with random yields injected before every atomic (chaos.ts).
 * - 'lru'  (a vCPU worker): folio_batch_move_lru's SetPageLRU, then isolation's clear (mm/lruAdd.ts,
 *          Guest.evictOne), on each page in turn. PG_LRU has no other writer, so the old byte each op
 *          returns must show the bit as this worker left it: a mismatch is a lost update.
 * - 'young' (kswapd's worker): sets PG_HOST_YOUNG on a window as a fault's map does (Guest.fault's
 *          updatePageFlags), then ptep_test_and_clear_young over it (mm/hostPte.ts hostTestClearYoung):
 *          every page it set must be cleared by it, and each set must find the bit clear.
 * workerData.plain: the negative control: the byte ops are a plain read, a yield, a plain write (the
 * code before mm/pageFlags.ts), so the other worker's change in the window is lost.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nativeAtomicOps, setAtomicOps, withHook, type AtomicOps } from '../../engine/core/sync/atomics.ts';
import { clearPageFlags, setPageFlags, updatePageFlags } from '../../engine/core/mm/pageFlags.ts';
import { hostTestClearYoung } from '../../engine/core/mm/hostPte.ts';
import { PG_HOST_YOUNG, PG_LRU, PG_RESIDENT, PG_TOUCHED } from '../../engine/core/sim/simLayout.ts';
import { nap, spin } from './chaos.ts';
import { rng } from '../rng.ts';

export interface PageFlagsWorkerData {
  role: 'lru' | 'young';
  flags: SharedArrayBuffer;
  /** [0]: both workers spin until both are there, so their loops overlap; [1]: the young worker's stop. */
  start: SharedArrayBuffer;
  pages: number;
  /** The young worker runs at least `rounds` rounds, and on (up to 20x) until it met the other's change
   * 10 times (casRetries), then stops both; the lru worker runs until then. */
  rounds: number;
  seed: number;
  plain: boolean;
}

export interface PageFlagsWorkerResult {
  /** Ops whose old byte showed this worker's own bit not as it left it (lost or resurrected). */
  lost: number;
  /** compareExchange8 calls that found the byte changed (the other worker got in between). */
  casRetries: number;
  ops: number;
}

const port = parentPort;
if (!port) throw new Error('pageFlagsWorker must run in a worker thread');
const wd = workerData as PageFlagsWorkerData;
const flags = new Uint8Array(wd.flags);
const rand = rng(wd.seed);
let casRetries = 0;

function yieldSometimes(): void {
  const r = rand();
  if (r < 0.002) nap();
  else if (r < 0.3) spin(Math.floor(rand() * 200));
}

const base = nativeAtomicOps();
const byteOps: Partial<AtomicOps> = wd.plain
  ? {
      or8: (a, i, v) => {
        const old = a[i];
        yieldSometimes();
        a[i] = old | v;
        return old;
      },
      and8: (a, i, v) => {
        const old = a[i];
        yieldSometimes();
        a[i] = old & v;
        return old;
      },
      compareExchange8: (a, i, e, r) => {
        const old = a[i];
        yieldSometimes();
        if (old === (e & 0xff)) a[i] = r;
        return old;
      },
    }
  : {
      compareExchange8: (a, i, e, r) => {
        const old = base.compareExchange8(a, i, e, r);
        if (old !== (e & 0xff)) casRetries++;
        return old;
      },
    };
setAtomicOps(
  withHook((op) => (op === 'wait' || op === 'notify' ? undefined : yieldSometimes()), { ...base, ...byteOps }),
);

const start = new Int32Array(wd.start);
Atomics.add(start, 0, 1);
while (Atomics.load(start, 0) < 2) spin(10);

let lost = 0;
let ops = 0;
const young = new Uint32Array(2);
for (let r = 0; Atomics.load(start, 1) === 0; r++) {
  if (wd.role === 'young' && r >= wd.rounds && (casRetries >= 10 || wd.plain || r >= 20 * wd.rounds)) {
    Atomics.store(start, 1, 1);
    break;
  }
  if (wd.role === 'lru') {
    for (let i = 0; i < wd.pages; i++) {
      if ((setPageFlags(flags, i, PG_LRU) & PG_LRU) !== 0) lost++;
      if ((clearPageFlags(flags, i, PG_LRU) & PG_LRU) === 0) lost++;
      ops += 2;
    }
  } else {
    for (let i = 0; i < wd.pages; i++) {
      if ((updatePageFlags(flags, i, 0, PG_RESIDENT | PG_TOUCHED | PG_HOST_YOUNG) & PG_HOST_YOUNG) !== 0) lost++;
    }
    young[0] = 0;
    young[1] = 0;
    lost += wd.pages - hostTestClearYoung(flags, 0, wd.pages, young);
    ops += 2 * wd.pages;
  }
}
port.postMessage({ lost, casRetries, ops } satisfies PageFlagsWorkerResult);
