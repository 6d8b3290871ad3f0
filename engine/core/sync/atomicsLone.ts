/**
 * The atomic routing (atomics.ts) of the lone simulation worker: a bundle of its own
 * (scripts/workers.mjs, 'sim-worker-lone'), built with engine/core/sync/atomics.ts replaced by this
 * module, that serves only runs with ONE worker (engine/host/workerMain.ts refuses any other). Same
 * exports and contract as atomics.ts, with the routing fixed at build time: the arena operations are
 * plain typed-array reads and writes on every array (atomics.ts plainArenaOps without its `a === i32`
 * test), the control words' operations (controlAtomics) native.
 *
 * Why it is correct: a run with one worker has no other agent on the arena, nor on any other array
 * `atomics` is given there (the TLB entries, the MMU lock's words, the frame budgets: built by and
 * for this worker). The host thread writes only the control words while the worker runs (pause,
 * stop, abort: controlAtomics, native here too) and reads the arena after the worker's 'finished'
 * message, which postMessage orders after every write the worker made. In one agent the plain
 * operations return what the Atomics methods return (atomics.ts plainArenaOps' contract), so the run
 * is the same, counter for counter; test/host/loneWorker.test.ts compares it with the general bundle.
 *
 * Why a bundle and not the table: the general routing is a mutable object (setAtomicOps, withHook),
 * so every inlined operation loads the table's field, checks the call target and tests the array
 * (`a === i32`). Here the table is a frozen object bound once and never replaced, so TurboFan folds
 * each `atomics.op` to its function and inlines a bare typed-array access. Stress tests and parallel
 * runs never load this bundle: hooks (withHook) are the general bundle's.
 */
import type { AtomicOps } from './atomics.ts';
import { nativeAtomicOps } from './atomicsNative.ts';

export type { AtomicOps } from './atomics.ts';

/** This bundle serves one-worker runs only (workerMain.ts checks it). */
export const LONE_AGENT = true;

export const atomics: AtomicOps = Object.freeze({
  load: (a: Int32Array, i: number) => a[i],
  readOnce: (a: Int32Array, i: number) => a[i],
  store: (a: Int32Array, i: number, v: number) => (a[i] = v),
  compareExchange: (a: Int32Array, i: number, e: number, r: number) => {
    const old = a[i];
    if (old === (e | 0)) a[i] = r;
    return old;
  },
  exchange: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = v;
    return old;
  },
  add: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  sub: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old - v;
    return old;
  },
  or: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old | v;
    return old;
  },
  and: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old & v;
    return old;
  },
  or8: (a: Uint8Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old | v;
    return old;
  },
  and8: (a: Uint8Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old & v;
    return old;
  },
  compareExchange8: (a: Uint8Array, i: number, e: number, r: number) => {
    const old = a[i];
    if (old === (e & 0xff)) a[i] = r;
    return old;
  },
  thisCpuAdd: (a: Int32Array, i: number, v: number) => {
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  // Never reached on an uncontended arena; native, as in plainArenaOps.
  wait: (a: Int32Array, i: number, v: number, t?: number) => Atomics.wait(a, i, v, t),
  notify: (a: Int32Array, i: number, c?: number) => Atomics.notify(a, i, c),
  add64: (a: BigInt64Array, i: number, v: bigint) => {
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  load64: (a: BigInt64Array, i: number) => a[i],
});

/** The control words (atomics.ts controlAtomics): native, the host writes them during the run. */
export const controlAtomics: AtomicOps = Object.freeze(nativeAtomicOps());

/** atomics.ts plainArenaOps: here the routing is already plain; the arena is not needed. */
export function plainArenaOps(_i32: Int32Array, _i64: BigInt64Array): AtomicOps {
  return atomics;
}

export function releasePlainArena(): void {}

/**
 * atomics.ts setAtomicOps: the routing here is fixed; selecting the plain operations is accepted (a
 * no-op), anything else (a hook) throws: hooks belong to the general bundle.
 */
export function setAtomicOps(ops: Partial<AtomicOps>): () => void {
  if (ops !== atomics) throw new Error('the lone worker bundle has a fixed atomic routing: no hooks');
  return () => {};
}
