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
 * the same name on an Int32Array (BigInt64Array only for `add64` / `load64`), except
 * `readOnce` (see there).
 */
import { nativeAtomicOps } from './atomicsNative.ts';

export interface AtomicOps {
  load(a: Int32Array, i: number): number;
  /**
   * The kernel's READ_ONCE of a page-table entry by a walker (arch/arm64/kvm/hyp/pgtable.c
   * __kvm_pgtable_visit: `ctx.old = READ_ONCE(*ptep)`; the MMU's hardware walker is no more ordered): one
   * tear-free read (ECMA-262 IsNoTearConfiguration: integer typed arrays), no ordering with other
   * locations. A plain typed-array read: on Node 20 (V8 11.3) Atomics.load is a builtin call, ~41 ns
   * against ~5 ns (measured, x86-64), and the walks' reads were 15 % of a spread run's CPU (profile of
   * bench/_spreadCost.ts). Only for reads whose staleness the caller tolerates: an entry found invalid
   * is a miss (the fault path re-walks under the MMU lock), a changed valid one makes the caller's
   * following cmpxchg fail (counted); a table descriptor and the entry read through it are
   * address-dependent. Never for a value re-read to check a pair (the (lo, hi) reads of pgtableFast.ts, pgtableLeafAt.ts) or a spin.
   * Routed here like every access, so a stress test's hook still yields before it.
   */
  readOnce(a: Int32Array, i: number): number;
  store(a: Int32Array, i: number, v: number): number;
  compareExchange(a: Int32Array, i: number, expected: number, replacement: number): number;
  exchange(a: Int32Array, i: number, v: number): number;
  add(a: Int32Array, i: number, v: number): number;
  sub(a: Int32Array, i: number, v: number): number;
  or(a: Int32Array, i: number, v: number): number;
  and(a: Int32Array, i: number, v: number): number;
  /**
   * Byte-wide operations, for the page flags (one byte per page, sim/simLayout.ts; mm/pageFlags.ts): the
   * kernel's set_bit / clear_bit / test_and_clear_bit on page->flags are atomic RMWs (arm64: LDSET /
   * LDCLR, or an LL/SC loop), so two CPUs that change different bits of one page's flags never lose
   * each other's update. Same semantics as the Atomics methods on a Uint8Array.
   */
  or8(a: Uint8Array, i: number, v: number): number;
  and8(a: Uint8Array, i: number, v: number): number;
  compareExchange8(a: Uint8Array, i: number, expected: number, replacement: number): number;
  /**
   * The kernel's this_cpu_add on a per-CPU counter (include/linux/percpu-defs.h; the lock statistics'
   * `stats->...++` through get_lock_stats's this_cpu_ptr, kernel/locking/lockdep.c): a plain
   * read-modify-write, `a[i] += v`, in every routing (native too), returning the old value. Only for a
   * word that no other agent writes while the caller may (layout.ts lockCpu: one block per thread);
   * readers in other agents get tear-free values, possibly stale (as readOnce). Routed here so that a
   * stress test's hook still yields before it.
   */
  thisCpuAdd(a: Int32Array, i: number, v: number): number;
  /** Blocks the calling agent. Never call on a browser or Electron main thread. */
  wait(a: Int32Array, i: number, v: number, timeoutMs?: number): 'ok' | 'not-equal' | 'timed-out';
  notify(a: Int32Array, i: number, count?: number): number;
  add64(a: BigInt64Array, i: number, v: bigint): bigint;
  load64(a: BigInt64Array, i: number): bigint;
}

const nativeOps: AtomicOps = nativeAtomicOps();

/**
 * The live routing table. Callers use `atomics.compareExchange(...)`; the object
 * identity never changes, only its fields, so modules may keep a reference.
 */
export const atomics: AtomicOps = { ...nativeOps };

/**
 * The routing of the control words (the control buffer, sim/simLayout.ts: barrier, pause / stop /
 * abort, CTL_FREE_FRAMES), which the host thread and every worker share for the whole run. Replaced
 * with `atomics` by setAtomicOps (a stress test's hook sees these operations too), except by the plain
 * arena operations (plainArenaOps), which are for the arena: control words stay native under them.
 *
 * Why a second table: TurboFan collects feedback per function, not per call site. Under plainArenaOps,
 * each operation's native branch for non-arena arrays (`a !== i32`) was taken by the control words
 * (stopRequested every 1,024 requests, the barrier every quantum), so every inlined arena load, store
 * and add carried that builtin call, and after its merge TurboFan re-checked and reloaded the routing
 * table, the array's map, length and data pointer at the next access. With the control words here, the
 * branch is never taken in a one-worker run and compiles to a deoptimization exit instead.
 */
export const controlAtomics: AtomicOps = { ...nativeOps };

/** Replace the atomic operations of this agent (thread). Returns a function that restores them. */
export function setAtomicOps(ops: Partial<AtomicOps>): () => void {
  const saved = { ...atomics };
  const savedControl = { ...controlAtomics };
  Object.assign(atomics, ops);
  if (ops !== plainOps) Object.assign(controlAtomics, ops);
  return () => {
    Object.assign(atomics, saved);
    Object.assign(controlAtomics, savedControl);
  };
}

export { nativeAtomicOps };

/** The general bundles' routing, switchable (setAtomicOps); the lone worker's is atomicsLone.ts. */
export const LONE_AGENT = false;

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

/** The arena plainArenaOps selected in this thread (null: none; every array then takes the native path). */
let i32: Int32Array | null = null;
let i64: BigInt64Array | null = null;

/**
 * One set of functions per thread, whatever the arena: a kept worker (engine/host/workerPool.ts) selects
 * them run after run, and TurboFan's code from the previous run, which inlined these very functions,
 * stays valid (new closures per run deoptimised ~20 hot functions at each run's start: "wrong call target").
 */
const plainOps: AtomicOps = {
  load: (a, i) => (a === i32 ? a[i] : Atomics.load(a, i)),
  readOnce: (a, i) => a[i],
  store: (a, i, v) => (a === i32 ? (a[i] = v) : Atomics.store(a, i, v)),
  compareExchange: (a, i, e, r) => {
    if (a !== i32) return Atomics.compareExchange(a, i, e, r);
    const old = a[i];
    if (old === (e | 0)) a[i] = r;
    return old;
  },
  exchange: (a, i, v) => {
    if (a !== i32) return Atomics.exchange(a, i, v);
    const old = a[i];
    a[i] = v;
    return old;
  },
  add: (a, i, v) => {
    if (a !== i32) return Atomics.add(a, i, v);
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  sub: (a, i, v) => {
    if (a !== i32) return Atomics.sub(a, i, v);
    const old = a[i];
    a[i] = old - v;
    return old;
  },
  or: (a, i, v) => {
    if (a !== i32) return Atomics.or(a, i, v);
    const old = a[i];
    a[i] = old | v;
    return old;
  },
  and: (a, i, v) => {
    if (a !== i32) return Atomics.and(a, i, v);
    const old = a[i];
    a[i] = old & v;
    return old;
  },
  or8: (a, i, v) => {
    const old = a[i];
    a[i] = old | v;
    return old;
  },
  and8: (a, i, v) => {
    const old = a[i];
    a[i] = old & v;
    return old;
  },
  compareExchange8: (a, i, e, r) => {
    const old = a[i];
    if (old === (e & 0xff)) a[i] = r;
    return old;
  },
  thisCpuAdd: (a, i, v) => {
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  wait: (a, i, v, t) => Atomics.wait(a, i, v, t),
  notify: (a, i, c) => Atomics.notify(a, i, c),
  add64: (a, i, v) => {
    if (a !== i64) return Atomics.add(a, i, v);
    const old = a[i];
    a[i] = old + v;
    return old;
  },
  load64: (a, i) => (a === i64 ? a[i] : Atomics.load(a, i)),
};
/**
 * Plain typed-array operations on ONE arena (its Int32Array `i32` and BigInt64Array `i64`), native
 * atomics on every other array (the simulation's control words, which the host thread writes while a
 * worker runs). Same results as the native operations in a single agent; no ordering across agents.
 *
 * The byte-wide operations (the page flags) are plain on every array.
 *
 * Contract, when a caller may select it with `setAtomicOps(plainArenaOps(...))`: for as long as it is
 * selected, no other agent reads or writes the arena, and no other agent writes the page flags. The simulation worker of a run with ONE worker
 * qualifies: only it runs stage-2 walks, MMU-lock and RCU operations on the arena; the host reads the
 * arena only after the worker's 'finished' message (postMessage orders it). Parallel runs, stress tests
 * and the main thread never select it. The routing stays the same object, so a stress test's
 * `withHook` still sees every call (it replaces these fields as it replaced the native ones). The
 * control words' table (controlAtomics) keeps the native operations while these are selected.
 *
 * Why: on a one-worker trace replay the sequentially consistent operations (x86: locked instructions
 * and fences for every store, cmpxchg, add) were ~20 % of the CPU time, about 35 of them per miss.
 * `wait` and `notify` stay native (they are never needed on an uncontended arena).
 */
export function plainArenaOps(arenaI32: Int32Array, arenaI64: BigInt64Array): AtomicOps {
  i32 = arenaI32;
  i64 = arenaI64;
  return plainOps;
}

/** Forget the arena plainArenaOps selected (after the run: its buffers are not kept alive by this thread). */
export function releasePlainArena(): void {
  i32 = null;
  i64 = null;
}
