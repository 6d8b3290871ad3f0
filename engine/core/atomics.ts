/**
 * Every atomic operation on the shared arena goes through `atomics`.
 *
 * Why one route: concurrency tests swap in a version that yields or records
 * between operations (see `setAtomicOps`), which widens race windows so that a
 * missing cmpxchg or a missing grace period shows up within a short stress run.
 * Production code must never call the global `Atomics` object on the arena
 * directly; it calls `atomics.load(...)` etc.
 *
 * Contract: the functions have exactly the semantics of the `Atomics` methods of
 * the same name on an Int32Array (BigInt64Array only for `add64` / `load64`).
 */
export interface AtomicOps {
  load(a: Int32Array, i: number): number;
  store(a: Int32Array, i: number, v: number): number;
  compareExchange(a: Int32Array, i: number, expected: number, replacement: number): number;
  exchange(a: Int32Array, i: number, v: number): number;
  add(a: Int32Array, i: number, v: number): number;
  sub(a: Int32Array, i: number, v: number): number;
  or(a: Int32Array, i: number, v: number): number;
  and(a: Int32Array, i: number, v: number): number;
  /** Blocks the calling agent. Never call on a browser or Electron main thread. */
  wait(a: Int32Array, i: number, v: number, timeoutMs?: number): 'ok' | 'not-equal' | 'timed-out';
  notify(a: Int32Array, i: number, count?: number): number;
  add64(a: BigInt64Array, i: number, v: bigint): bigint;
  load64(a: BigInt64Array, i: number): bigint;
}

const nativeOps: AtomicOps = {
  load: (a, i) => Atomics.load(a, i),
  store: (a, i, v) => Atomics.store(a, i, v),
  compareExchange: (a, i, e, r) => Atomics.compareExchange(a, i, e, r),
  exchange: (a, i, v) => Atomics.exchange(a, i, v),
  add: (a, i, v) => Atomics.add(a, i, v),
  sub: (a, i, v) => Atomics.sub(a, i, v),
  or: (a, i, v) => Atomics.or(a, i, v),
  and: (a, i, v) => Atomics.and(a, i, v),
  wait: (a, i, v, t) => Atomics.wait(a, i, v, t),
  notify: (a, i, c) => Atomics.notify(a, i, c),
  add64: (a, i, v) => Atomics.add(a, i, v),
  load64: (a, i) => Atomics.load(a, i),
};

/**
 * The live routing table. Callers use `atomics.compareExchange(...)`; the object
 * identity never changes, only its fields, so modules may keep a reference.
 */
export const atomics: AtomicOps = { ...nativeOps };

/** Replace the atomic operations of this agent (thread). Returns a function that restores them. */
export function setAtomicOps(ops: Partial<AtomicOps>): () => void {
  const saved = { ...atomics };
  Object.assign(atomics, ops);
  return () => Object.assign(atomics, saved);
}

/** The untouched native operations, for wrappers that add behaviour around them. */
export function nativeAtomicOps(): AtomicOps {
  return { ...nativeOps };
}

/**
 * Wrap every operation so that `hook` runs before it. Stress tests use this to
 * yield (spin or sleep a random few microseconds) between operations.
 */
export function withHook(hook: (op: keyof AtomicOps) => void, base: AtomicOps = nativeOps): AtomicOps {
  const out = {} as Record<keyof AtomicOps, unknown>;
  for (const key of Object.keys(base) as (keyof AtomicOps)[]) {
    const fn = base[key] as (...args: unknown[]) => unknown;
    out[key] = (...args: unknown[]) => {
      hook(key);
      return fn(...args);
    };
  }
  return out as unknown as AtomicOps;
}
