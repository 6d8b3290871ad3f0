/**
 * The one owner of the SharedArrayBuffer layout.
 *
 * Every shared word the engine uses is declared here, with who writes it and who
 * reads it. Other modules receive an `ArenaViews` and index it with the constants
 * below; they never compute offsets of their own. Bump `LAYOUT_VERSION` whenever
 * a slot moves, so that a worker attached to a buffer of another layout refuses
 * it instead of reading garbage.
 *
 * Regions, in order (all offsets in Int32 words, each region starting a 64-byte cache line: LINE_WORDS):
 *
 *   header      HEADER_WORDS                      constants written once by `createArena`
 *   alloc       ALLOC_WORDS                       table-page allocator state (arena.ts)
 *   rcu         RCU_WORDS + maxThreads*RCU_SLOT   grace-period state and reader slots (rcu.ts)
 *   locks       maxLocks * LOCK_WORDS             one MMU reader-writer lock per guest (mmuLock.ts)
 *   lockCpu     maxThreads * lockCpuStride        per thread: its acquisition counters of every lock (mmuLock.ts)
 *   pageState   tablePages                        per table page: generation << 1 | allocated (arena.ts)
 *   pageLive    tablePages                        per table page: live entries, or free-list link (arena.ts)
 *   sim         simWords                          simulation-wide shared words (engine/core/sim)
 *   tables      tablePages * TABLE_WORDS          the stage-2 table pages themselves
 *   stats64     (separate BigInt64Array view)     nanosecond counters (locks), see STAT64_*
 */

export const LAYOUT_VERSION = 3;

/**
 * Int32 words of a 64-byte cache line (x86-64 and the arm64 cores the lab models). Words that different
 * threads write often are kept on different lines: a store to a line another core holds costs a
 * transfer of the line (false sharing when the words are unrelated). Layout v1 packed every thread's RCU
 * reader slot (written twice per scheduler step by its worker) on one line with guest 0's MMU lock, and
 * two locks with their counters per line (bench 64-vCPU scenario: spread runs spent 1.15-1.47x the CPU of
 * one worker). Each reader slot, each lock and each region now takes whole lines' worth of words. The
 * buffer itself is only 16-byte aligned for sure (malloc), so a 64-byte slot may straddle two lines; its
 * used words (at most 32 bytes from its start) then still share a line with no other slot's.
 */
export const LINE_WORDS = 16;
export const LAYOUT_MAGIC = 0x4f434c42; // 'OCLB'

/** A stage-2 table page: 4 KiB = 512 descriptors of 8 bytes = 1024 Int32 words. */
export const PTRS_PER_TABLE = 512;
export const TABLE_WORDS = PTRS_PER_TABLE * 2;
export const PAGE_SIZE = 4096;

// ---- header: written once by createArena, read by everyone -------------------
export const HDR_MAGIC = 0;
export const HDR_VERSION = 1;
export const HDR_TABLE_PAGES = 2;
export const HDR_MAX_THREADS = 3;
export const HDR_MAX_LOCKS = 4;
export const HDR_FLAGS = 5;
export const HDR_SIM_WORDS = 6;
export const HEADER_WORDS = 8;
/** HDR_FLAGS bit: poison freed table pages and check walks for use-after-free. */
export const FLAG_DEBUG_POISON = 1;

// ---- alloc: table-page allocator (arena.ts). Writers: any thread holding ALLOC_LOCK.
export const ALLOC_LOCK = 0; //          spinlock word, 0 free / 1 held; every allocator mutation holds it
export const ALLOC_FREE_HEAD = 1; //     head of the free list (page index) or -1
export const ALLOC_NEXT_UNUSED = 2; //   bump pointer: pages >= this were never handed out
export const ALLOC_IN_USE = 3; //        pages currently allocated (read by anyone, for accounting)
export const ALLOC_HIGH_WATER = 4; //    max of ALLOC_IN_USE ever seen
export const ALLOC_ALLOCS = 5; //        total allocations
export const ALLOC_FREES = 6; //         total frees
export const ALLOC_FAILURES = 7; //      allocations refused because the arena was full
export const ALLOC_UAF = 8; //           walks that touched a freed page (debug mode), added by any walker
export const ALLOC_POISON_READS = 9; //  descriptors read that held the poison pattern (debug mode)
export const ALLOC_WORDS = 16;

// ---- rcu: grace periods (rcu.ts) ------------------------------------------------
export const RCU_EPOCH = 0; //           global epoch; advanced by any thread when all readers caught up
/**
 * RCU_EPOCH's values wrap at 31 bits, so a reader slot's (epoch << 1) | 1 fits an Int32 (rcu.ts). Here, in
 * an import-free module, so the bundler inlines it: rcuReadLock runs per folio check of the trace replay
 * (the notifier's lockless aging), and rcu.ts's own const was a module-context load there (session 14).
 */
export const RCU_EPOCH_MASK = 0x7fffffff;
export const RCU_GRACE_PERIODS = 1; //   grace periods completed (epoch advances)
export const RCU_CB_PENDING = 2; //      callbacks queued by callRcu and not yet invoked (all threads)
export const RCU_PAGES_AWAITING = 3; //  unlinked table pages waiting for a grace period (all threads)
export const RCU_NEXT_SLOT = 4; //       next free reader slot; rcuRegisterThread takes one
export const RCU_GP_SEQ = 5; //          futex word: bumped + notified on every epoch advance
export const RCU_GP_WAITERS = 6; //      threads blocked in synchronizeRcu/rcuBarrier; readers leaving a section wake them
/**
 * Table pages handed to callRcu while another thread was inside a read-side section (rcu.ts callRcu): frees
 * that a reader in flight really deferred (0 with one thread). Added by the thread calling callRcu.
 */
export const RCU_DEFERRED_VS_READERS = 7;
export const RCU_WORDS = 8;
/**
 * Per-thread reader slot: [0] = observed epoch << 1 | active (0 = quiescent), written by the owner, read by
 * grace-period detection in any thread; [1] = nesting (owner only), or RCU_SLOT_FREE once unregistered.
 */
export const RCU_SLOT_WORDS = LINE_WORDS; // [0], [1] used; the rest pads the slot to its own cache line
export const RCU_SLOT_FREE = -1;

// ---- locks: one MMU reader-writer lock per guest (mmuLock.ts) ------------------
export const LOCK_STATE = 0; //          writer bit (30) | pending writers (bits 16..29) | readers (bits 0..15)
export const LOCK_SEQ = 1; //            futex word: bumped + notified on every release that may wake waiters
export const LOCK_READ_ACQUIRES = 2;
export const LOCK_WRITE_ACQUIRES = 3;
export const LOCK_READ_CONTENDED = 4; // acquisitions that had to wait
export const LOCK_WRITE_CONTENDED = 5;
export const LOCK_WAITERS = 6; //        threads currently waiting
export const LOCK_WORDS = LINE_WORDS; // words 0-6 used; the rest pads the lock to its own cache line
/**
 * lockCpu: per thread (agent), per lock, the acquisition counters of the handles that thread attached with
 * a `cpu` (mmuLock.ts MmuLockOptions.cpu), as the kernel's lock statistics are per CPU (CONFIG_LOCK_STAT,
 * kernel/locking/lockdep.c: `DEFINE_PER_CPU(struct lock_class_stats[MAX_LOCKDEP_KEYS], cpu_lock_stats)`,
 * bumped with plain increments through get_lock_stats's this_cpu_ptr, summed over the CPUs by
 * lock_stats() when /proc/lock_stat is read). Written by its thread only, with plain adds
 * (atomics.thisCpuAdd); read by lockStats in any thread (tear-free, possibly a little stale while the
 * owner runs). Why: the shared LOCK_READ_ACQUIRES / LOCK_WRITE_ACQUIRES words cost an atomic add per
 * acquisition from every worker of a spread run (0.18 native atomics per access of the bench's 64-vCPU
 * spread run, ~5 % of its native atomics: bench/_spreadAtomicsRegions.ts), on the lock's own cache line.
 * Each thread's block starts a cache line (lockCpuStride), so two threads' counters share no line.
 */
export const LOCK_CPU_READ_ACQUIRES = 0;
export const LOCK_CPU_WRITE_ACQUIRES = 1;
export const LOCK_CPU_READ_CONTENDED = 2;
export const LOCK_CPU_WRITE_CONTENDED = 3;
export const LOCK_CPU_WORDS = 4;
// stats64 per lock (nanoseconds of wall time, summed over all threads)
export const STAT64_LOCK_READ_WAIT_NS = 0;
export const STAT64_LOCK_WRITE_WAIT_NS = 1;
export const STAT64_LOCK_READ_HOLD_NS = 2;
export const STAT64_LOCK_WRITE_HOLD_NS = 3;
export const STAT64_PER_LOCK = 8; // 4 used; 64 bytes per lock, so two locks' counters share no line

export interface ArenaConfig {
  /** Capacity in 4 KiB table pages. */
  tablePages: number;
  /** Reader slots for RCU: one per thread that may call rcuReadLock. */
  maxThreads: number;
  /** MMU locks (one per guest). */
  maxLocks: number;
  /** Shared words for the simulation (see engine/core/sim). */
  simWords?: number;
  /** Poison freed table pages and count use-after-free reads. */
  debugPoison?: boolean;
}

/** Typed views over one arena buffer plus the offsets of its regions. Cheap to build in every worker. */
export interface ArenaViews {
  readonly sab: SharedArrayBuffer;
  readonly i32: Int32Array;
  readonly stats64: BigInt64Array;
  readonly tablePages: number;
  readonly maxThreads: number;
  readonly maxLocks: number;
  readonly simWords: number;
  readonly debugPoison: boolean;
  /** Word offset of each region in `i32`. */
  readonly alloc: number;
  readonly rcu: number;
  readonly rcuSlots: number;
  readonly locks: number;
  /** Per-thread lock counters: thread t's block of lock `id` at lockCpu + t * lockCpuStride + id * LOCK_CPU_WORDS. */
  readonly lockCpu: number;
  readonly lockCpuStride: number;
  readonly pageState: number;
  /**
   * Per table page, a union (like struct page): while allocated, the number of non-empty
   * descriptors (lo != 0), written by map/unmap (pgtable.ts) and read by unmap to unlink empty
   * tables; while free, the next page of the allocator's free list or -1 (arena.ts, under ALLOC_LOCK).
   */
  readonly pageLive: number;
  readonly sim: number;
  readonly tables: number;
}

/** Region starts: the next cache line (LINE_WORDS). */
const alignLine = (n: number): number => Math.ceil(n / LINE_WORDS) * LINE_WORDS;

interface Offsets {
  alloc: number;
  rcu: number;
  rcuSlots: number;
  locks: number;
  lockCpu: number;
  lockCpuStride: number;
  pageState: number;
  pageLive: number;
  sim: number;
  tables: number;
  i32Words: number;
  stats64Words: number;
}

function offsets(tablePages: number, maxThreads: number, maxLocks: number, simWords: number): Offsets {
  const alloc = HEADER_WORDS;
  const rcu = alignLine(alloc + ALLOC_WORDS);
  const rcuSlots = alignLine(rcu + RCU_WORDS);
  const locks = alignLine(rcuSlots + maxThreads * RCU_SLOT_WORDS);
  const lockCpu = alignLine(locks + maxLocks * LOCK_WORDS);
  const lockCpuStride = alignLine(maxLocks * LOCK_CPU_WORDS);
  const pageState = alignLine(lockCpu + maxThreads * lockCpuStride);
  const pageLive = alignLine(pageState + tablePages);
  const sim = alignLine(pageLive + tablePages);
  const tables = alignLine(sim + simWords);
  const i32Words = tables + tablePages * TABLE_WORDS;
  return {
    alloc,
    rcu,
    rcuSlots,
    locks,
    lockCpu,
    lockCpuStride,
    pageState,
    pageLive,
    sim,
    tables,
    i32Words,
    stats64Words: maxLocks * STAT64_PER_LOCK,
  };
}

/** Largest arena we accept: 1 GiB of table pages (each maps 2 MiB of guest memory at level 3). */
export const MAX_TABLE_PAGES = 262144;

function checkConfig(c: ArenaConfig): void {
  const int = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`arena ${name} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
    }
  };
  int('tablePages', c.tablePages, 1, MAX_TABLE_PAGES);
  int('maxThreads', c.maxThreads, 1, 1024);
  int('maxLocks', c.maxLocks, 1, 4096);
  int('simWords', c.simWords ?? 0, 0, 1 << 24);
}

/** Allocate and initialise a new arena buffer. Allocator, RCU and lock state start zeroed/empty. */
export function createArena(config: ArenaConfig): ArenaViews {
  checkConfig(config);
  const simWords = config.simWords ?? 0;
  const o = offsets(config.tablePages, config.maxThreads, config.maxLocks, simWords);
  const sab = new SharedArrayBuffer(o.i32Words * 4 + o.stats64Words * 8);
  const i32 = new Int32Array(sab, 0, o.i32Words);
  i32[HDR_MAGIC] = LAYOUT_MAGIC;
  i32[HDR_VERSION] = LAYOUT_VERSION;
  i32[HDR_TABLE_PAGES] = config.tablePages;
  i32[HDR_MAX_THREADS] = config.maxThreads;
  i32[HDR_MAX_LOCKS] = config.maxLocks;
  i32[HDR_FLAGS] = config.debugPoison ? FLAG_DEBUG_POISON : 0;
  i32[HDR_SIM_WORDS] = simWords;
  i32[o.alloc + ALLOC_FREE_HEAD] = -1;
  i32[o.rcu + RCU_EPOCH] = 2;
  return attachArena(sab);
}

/**
 * ArenaViews on a class map, all fields in-object (core/ownShape.ts: why not an object literal).
 * `declare` fields: no class-field definition (undefined) before the constructor's stores, so each
 * field's first value sets its representation (the offsets stay small integers, as in a literal).
 */
class ArenaViewsObject implements ArenaViews {
  declare readonly sab: SharedArrayBuffer;
  declare readonly i32: Int32Array;
  declare readonly stats64: BigInt64Array;
  declare readonly tablePages: number;
  declare readonly maxThreads: number;
  declare readonly maxLocks: number;
  declare readonly simWords: number;
  declare readonly debugPoison: boolean;
  declare readonly alloc: number;
  declare readonly rcu: number;
  declare readonly rcuSlots: number;
  declare readonly locks: number;
  declare readonly lockCpu: number;
  declare readonly lockCpuStride: number;
  declare readonly pageState: number;
  declare readonly pageLive: number;
  declare readonly sim: number;
  declare readonly tables: number;
  constructor(
    sab: SharedArrayBuffer,
    o: Offsets,
    tablePages: number,
    maxThreads: number,
    maxLocks: number,
    simWords: number,
    debugPoison: boolean,
  ) {
    const w = this as { -readonly [K in keyof ArenaViews]: ArenaViews[K] };
    w.sab = sab;
    w.i32 = new Int32Array(sab, 0, o.i32Words);
    w.stats64 = new BigInt64Array(sab, o.i32Words * 4, o.stats64Words);
    w.tablePages = tablePages;
    w.maxThreads = maxThreads;
    w.maxLocks = maxLocks;
    w.simWords = simWords;
    w.debugPoison = debugPoison;
    w.alloc = o.alloc;
    w.rcu = o.rcu;
    w.rcuSlots = o.rcuSlots;
    w.locks = o.locks;
    w.pageState = o.pageState;
    w.pageLive = o.pageLive;
    w.sim = o.sim;
    w.tables = o.tables;
    // Last: the fields above keep the in-object slots they had before these were added.
    w.lockCpu = o.lockCpu;
    w.lockCpuStride = o.lockCpuStride;
  }
}

/** Build views over an existing arena buffer (e.g. one posted to a worker). Throws on a foreign buffer. */
export function attachArena(sab: SharedArrayBuffer): ArenaViews {
  if (sab.byteLength < HEADER_WORDS * 4) throw new Error('arena buffer too small for a header');
  const head = new Int32Array(sab, 0, HEADER_WORDS);
  if (head[HDR_MAGIC] !== LAYOUT_MAGIC) throw new Error('not an Overcommit Lab arena (bad magic)');
  if (head[HDR_VERSION] !== LAYOUT_VERSION) {
    throw new Error(`arena layout version ${head[HDR_VERSION]}, this build understands ${LAYOUT_VERSION}`);
  }
  const tablePages = head[HDR_TABLE_PAGES];
  const maxThreads = head[HDR_MAX_THREADS];
  const maxLocks = head[HDR_MAX_LOCKS];
  const simWords = head[HDR_SIM_WORDS];
  const o = offsets(tablePages, maxThreads, maxLocks, simWords);
  if (sab.byteLength !== o.i32Words * 4 + o.stats64Words * 8)
    throw new Error('arena buffer size does not match its header');
  const poison = (head[HDR_FLAGS] & FLAG_DEBUG_POISON) !== 0;
  return new ArenaViewsObject(sab, o, tablePages, maxThreads, maxLocks, simWords, poison);
}

/** Word offset in `i32` of descriptor `index` (low word; the high word follows) of table page `page`. */
export function descriptorWord(v: ArenaViews, page: number, index: number): number {
  return v.tables + page * TABLE_WORDS + index * 2;
}

/** Bytes of buffer per table page, for accounting ("table bytes per mapped 4K page"). */
export const TABLE_PAGE_BYTES = TABLE_WORDS * 4;
