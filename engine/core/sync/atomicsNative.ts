/**
 * The native Atomics operations, the base of every routing (atomics.ts, atomicsLone.ts): exactly the
 * `Atomics` methods of the same name (atomics.ts AtomicOps: the contract).
 */
import type { AtomicOps } from './atomics.ts';

const nativeOps: AtomicOps = {
  load: (a, i) => Atomics.load(a, i),
  readOnce: (a, i) => a[i],
  store: (a, i, v) => Atomics.store(a, i, v),
  compareExchange: (a, i, e, r) => Atomics.compareExchange(a, i, e, r),
  exchange: (a, i, v) => Atomics.exchange(a, i, v),
  add: (a, i, v) => Atomics.add(a, i, v),
  sub: (a, i, v) => Atomics.sub(a, i, v),
  or: (a, i, v) => Atomics.or(a, i, v),
  and: (a, i, v) => Atomics.and(a, i, v),
  or8: (a, i, v) => Atomics.or(a, i, v),
  and8: (a, i, v) => Atomics.and(a, i, v),
  compareExchange8: (a, i, e, r) => Atomics.compareExchange(a, i, e, r),
  // Not an Atomics method: plain on every routing (atomics.ts AtomicOps.thisCpuAdd's contract).
  thisCpuAdd: (a, i, v) => {
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  wait: (a, i, v, t) => Atomics.wait(a, i, v, t),
  notify: (a, i, c) => Atomics.notify(a, i, c),
  add64: (a, i, v) => Atomics.add(a, i, v),
  load64: (a, i) => Atomics.load(a, i),
};

/** The untouched native operations, for wrappers that add behaviour around them. */
export function nativeAtomicOps(): AtomicOps {
  return { ...nativeOps };
}
