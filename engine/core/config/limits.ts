/**
 * Bounds on configuration values. They reject nonsense (typos such as an extra zero, NaN, negative
 * sizes), not merely large runs: anything inside them is a configuration the model can describe.
 */
import type { NumRange } from './fields.ts';

export const PAGE_BYTES = 4096;
export const PAGES_PER_MIB = 256;
/** 1 TiB in MiB: larger guests or hosts than this are outside what the lab models. */
export const MAX_MEMORY_MIB = 1024 * 1024;
export const MAX_VCPUS = 512;
export const MAX_GUESTS = 64;
/** One virtual hour: the simulator is for seconds-to-minutes experiments. */
export const MAX_DURATION_MS = 3_600_000;
/** At most this many sample rows per run (keeps sessions and charts bounded). */
export const MAX_SAMPLES = 1_000_000;
/** A single cost above one virtual second is a unit mistake (ms or us typed as ns). */
export const MAX_COST_NS = 1e9;
/** Worker threads for a parallel run. */
export const MAX_WORKERS = 256;

export const MEMORY_MIB: NumRange = { min: 0, max: MAX_MEMORY_MIB, minExclusive: true, note: '(1 TiB)' };
export const SWAP_MIB: NumRange = { min: 0, max: 4 * MAX_MEMORY_MIB, note: '(4 TiB)' };
export const VCPUS: NumRange = { min: 1, max: MAX_VCPUS, integer: true };
export const PAGES: NumRange = {
  min: 1,
  max: MAX_MEMORY_MIB * PAGES_PER_MIB,
  integer: true,
  note: '(1 TiB of 4 KiB pages)',
};
export const FRACTION: NumRange = { min: 0, max: 1 };
export const THINK_NS: NumRange = { min: 0, max: 1e9, note: '(1 s)' };
export const PERCENT: NumRange = { min: 0, max: 50, note: '(% of host memory)' };
export const DURATION_MS: NumRange = { min: 0, max: MAX_DURATION_MS, minExclusive: true, note: '(one virtual hour)' };
export const INTERVAL_MS: NumRange = { min: 0, max: MAX_DURATION_MS, minExclusive: true };
export const COST_NS: NumRange = { min: 0, max: MAX_COST_NS, note: '(1 s)' };
/**
 * The floor that guarantees progress: every access a vCPU makes charges at least memAccess, so with
 * memAccess >= 1 ns virtual time always advances (at most 10^6 accesses per vCPU per 1 ms quantum).
 * With 0 (and thinkNs 0, as a trace workload has) a run would spin forever at one virtual instant.
 */
export const MEM_ACCESS_NS: NumRange = {
  min: 1,
  max: MAX_COST_NS,
  note: '(every access must cost time, or virtual time never advances)',
};
export const SEED: NumRange = { min: 0, max: 0xffff_ffff, integer: true, note: '(u32)' };
export const WORKERS: NumRange = { min: 0, max: MAX_WORKERS, integer: true, note: '(0 = cores - 1)' };
export const TLB_ENTRIES: NumRange = { min: 1, max: 65536, integer: true };
export const ZIPF_THETA: NumRange = { min: 0, max: 5 };

/** Preset ids and names used as references: lower-case words joined by dashes. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const ID_TEXT = 'must be lower-case letters, digits and dashes (at most 64)';

/** Memory sizes are given in MiB but must be whole 4 KiB pages (so 1000 pages = 3.90625 MiB is fine). */
export function isWholePages(mib: number): boolean {
  return Number.isInteger(mib * PAGES_PER_MIB);
}

export function mibToPages(mib: number): number {
  return Math.round(mib * PAGES_PER_MIB);
}
