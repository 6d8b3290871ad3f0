/**
 * The stress scenario's shared configuration: guest ranges, the counters buffer, worker data.
 *
 * Guest layout (4 KiB pages, 48-bit IPA):
 *   stable   gfn [0, STABLE_PAGES)                    mapped once, never unmapped: AF / S2AP-W accounting
 *   volatile gfn [VOLATILE_START, +VOLATILE_PAGES)    in its own 1 GiB (own level-2 table), unmapped and
 *                                                     remapped all the time: level-2 and level-3 tables are
 *                                                     unlinked and freed through RCU
 */
import type { AgingLock } from '../../engine/core/kvm/mmu.ts';

export const STABLE_PAGES = 4096;
export const VOLATILE_START = 1 << 18; // 1 GiB
export const VOLATILE_PAGES = 2048;
export const VOLATILE_END = VOLATILE_START + VOLATILE_PAGES;
/** Host frames: gfn + FRAME_OFFSET (any distinct frames will do). */
export const FRAME_OFFSET = 1 << 20;
export const TABLE_PAGES = 1024;
/** vCPUs go on until the ager made this many passes and the unmapper this many rounds. */
export const MIN_BACKGROUND = 50;

/** Scale knob (env STRESS_SCALE, default 1) and seed (env STRESS_SEED, default 1). */
export const STRESS_SCALE = Number(process.env.STRESS_SCALE ?? 1);
export const STRESS_SEED = Number(process.env.STRESS_SEED ?? 1);

/** Counters buffer (Int32): header words, then per stable leaf: AF sets, AF clears, S2AP-W sets and clears. */
export const C = {
  ready: 0,
  stop: 1,
  errors: 2,
  vcpuOps: 3,
  agerPasses: 4,
  unmaps: 5,
  remaps: 6,
  enomem: 7,
  wrprotects: 8,
  unmapperRounds: 9,
  /** vCPU hardware AF updates (vcpu.ts translate) whose cmpxchg lost a race. */
  casFailures: 10,
  /** vCPU walks made while table pages awaited their grace period (unlinked, not yet freed). */
  walksOverDeferred: 11,
  /** Most table pages seen awaiting a grace period at once (sampled by the vCPUs). */
  maxDeferred: 12,
  header: 16,
} as const;
export const afSetsAt = (gfn: number): number => C.header + gfn;
export const afClearsAt = (gfn: number): number => C.header + STABLE_PAGES + gfn;
export const wSetsAt = (gfn: number): number => C.header + 2 * STABLE_PAGES + gfn;
export const wClearsAt = (gfn: number): number => C.header + 3 * STABLE_PAGES + gfn;
export const COUNTER_WORDS = C.header + 4 * STABLE_PAGES;
/** Default hot set: stable pages [0, HOT_PAGES) get half of the stable accesses, more same-leaf races. */
export const HOT_PAGES = 256;

export type StressRole = 'vcpu' | 'ager' | 'unmapper';

export interface StressWorkerData {
  arena: SharedArrayBuffer;
  counters: SharedArrayBuffer;
  root: number;
  role: StressRole;
  seed: number;
  /** vCPU: accesses. Ager and unmapper run until C.stop. */
  ops: number;
  workers: number;
  /** Ager: how each pass is protected (picked at random per pass). */
  agerLocks: AgingLock[];
  /** Ager: age the volatile range too (walks meet tables being unlinked). */
  agerVolatile: boolean;
  /** Negative controls. */
  unsafeFreeWithoutGracePeriod: boolean;
  unsafeAgeWithoutRcu: boolean;
  /** Ager: cmpxchg on descriptors replaced by a non-atomic read-then-store. */
  brokenCmpxchg: boolean;
  /** Stable pages [0, hotPages) get half of the stable accesses and aging passes (all with `focus`). */
  hotPages: number;
  focus: boolean;
  /** False: no ager and no unmapper (the control of the race counters). */
  background: boolean;
}

export interface StressWorkerResult {
  role: StressRole;
  ops: number;
  firstError: string | null;
}
