/**
 * One guest as its owner worker sees it: stage-2 table, MMU lock (real + virtual reservations),
 * TLBs, page metadata, reclaim policy and harvester, and the slow paths of an access:
 * the stage-2 fault (frame allocation, maybe reclaim, swap-in on a refault, map under the MMU lock
 * for read), the access-flag fault, the permission fault, and eviction (unmap under the MMU lock
 * for write + TLB invalidate + swap-out; emptied tables go to callRcu through MmOps).
 *
 * Every method takes the caller's virtual time and returns the time it finished.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs, type LeafAttrs } from '../descriptor.ts';
import type { MmuLock } from '../mmuLock.ts';
import { readLock, readUnlock, writeLock, writeUnlock } from '../mmuLock.ts';
import { EAGAIN, stage2Map, stage2Mkyoung, stage2SetWritable, stage2Unmap, type Pgt } from '../pgtable.ts';
import { rcuPoll, type RcuThread } from '../rcu.ts';
import { C_AF_FAULT, C_CMPXCHG, C_LOCK_ACQUIRE, C_S2_FAULT, C_SWAP_IN, C_SWAP_OUT, C_TLB_INVALIDATE } from './costs.ts';
import type { Harvester } from './harvest.ts';
import type { HostFrames } from './hostFrames.ts';
import type { Policy } from './policy/policy.ts';
import {
  GS_AF_FAULTS,
  GS_COLD,
  GS_DIRECT_RECLAIM,
  GS_EVICTIONS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PERM_FAULTS,
  GS_PRESSURE_NS,
  GS_RECLAIM_OWED,
  GS_REFAULTS,
  GS_REFAULTS_IN_WINDOW,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_TLBI,
  PG_RESIDENT,
  PG_SWAPPED,
  PG_TOUCHED,
} from './simLayout.ts';
import type { Tlbs } from './tlb.ts';
import type { VLock } from './vlock.ts';

/** Pages one direct-reclaim or kswapd round evicts (the kernel's SWAP_CLUSTER_MAX). */
export const SWAP_CLUSTER_MAX = 32;
const PAGE = 4096;
/** Frame numbers are (guest << FRAME_GUEST_SHIFT) + gfn: unique per page, host count kept apart. */
const FRAME_GUEST_SHIFT = 28;

export interface GuestParts {
  index: number;
  pages: number;
  pinned: boolean;
  pgt: Pgt;
  lock: MmuLock;
  vlock: VLock;
  rcu: RcuThread;
  tlbs: Tlbs | null;
  flags: Int32Array;
  evictedAt: Float64Array;
  /** This guest's eviction-precision buckets: [0, n) evictions, [n, 2n) refaults in window (simLayout.ts). */
  evictBuckets: Float64Array;
  stats: Float64Array;
  costs: Float64Array;
  host: HostFrames;
  config: ScenarioConfig;
  /** Several workers: settle the min watermark at quantum boundaries (Guest.fault). */
  deferMin: boolean;
}

export class Guest {
  readonly index: number;
  readonly pages: number;
  readonly pinned: boolean;
  readonly pgt: Pgt;
  readonly lock: MmuLock;
  readonly vlock: VLock;
  readonly rcu: RcuThread;
  readonly tlbs: Tlbs | null;
  readonly flushOnClear: boolean;
  readonly flags: Int32Array;
  readonly evictedAt: Float64Array;
  readonly evictBuckets: Float64Array;
  readonly stats: Float64Array;
  /** Base of this guest's counters in `stats`. */
  readonly sb: number;
  readonly costs: Float64Array;
  readonly host: HostFrames;
  policy!: Policy;
  harvester!: Harvester;
  private readonly demandOnly: boolean;
  private readonly reserve: number;
  /** Parallel runs: the min-watermark check is settled at the barrier (GS_RECLAIM_OWED), see fault. */
  private readonly deferMin: boolean;
  private readonly windowNs: number;
  private readonly frameBase: number;
  private readonly bucketNs: number;
  private readonly buckets: number;
  /** Whether the evictPages call in progress runs on a vCPU (direct reclaim) rather than kswapd. */
  private evictByVcpu = false;
  private readonly attrLoByWrite: [ReturnType<typeof leafAttrs>, ReturnType<typeof leafAttrs>];
  /** Pages evicted by the last evictPages call. */
  lastEvicted = 0;

  constructor(p: GuestParts) {
    this.index = p.index;
    this.pages = p.pages;
    this.pinned = p.pinned;
    this.pgt = p.pgt;
    this.lock = p.lock;
    this.vlock = p.vlock;
    this.rcu = p.rcu;
    this.tlbs = p.tlbs;
    this.flushOnClear = p.config.reclaim.tlb.flushOnClear;
    this.flags = p.flags;
    this.evictedAt = p.evictedAt;
    this.evictBuckets = p.evictBuckets;
    this.buckets = p.evictBuckets.length >> 1;
    this.bucketNs = p.config.run.sampleIntervalMs * 1e6;
    this.stats = p.stats;
    this.sb = p.index * 32;
    this.costs = p.costs;
    this.host = p.host;
    this.demandOnly = p.config.run.demandOnly;
    this.deferMin = p.deferMin && !this.demandOnly && !this.pinned;
    this.reserve = this.demandOnly || this.deferMin ? 0 : p.host.min;
    this.windowNs = p.config.run.refaultWindowMs * 1e6;
    this.frameBase = p.index * 2 ** FRAME_GUEST_SHIFT;
    const young = p.config.reclaim.mapYoung;
    this.attrLoByWrite = [leafAttrs({ write: false, young }), leafAttrs({ write: true, young })];
  }

  private map(gfn: number, attrs: LeafAttrs): number {
    readLock(this.lock);
    let r: number;
    do r = stage2Map(this.pgt, gfn * PAGE, PAGE, this.frameBase + gfn, attrs, { shared: true });
    while (r === EAGAIN);
    readUnlock(this.lock);
    return r;
  }

  /**
   * Stage-2 fault on `gfn` at virtual time t (the trap is charged here). Returns the finish time,
   * or -1 when no frame can be had now (nothing evictable in this guest): the vCPU retries later,
   * after other reclaimers (kswapd shares of other guests) had a chance to run.
   */
  fault(gfn: number, write: boolean, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    let now = t + c[C_S2_FAULT];
    let reclaimNs = 0;
    // Allocate the frame first (as KVM's fault path does, before taking mmu_lock): maybe reclaim.
    // One worker: direct reclaim when free frames are at the min watermark (reserve), decided at
    // this fault's virtual time. Several workers: the shared free count mixes the other workers'
    // virtual futures and pasts with ours, so "who finds the host at min first" would be decided by
    // which worker runs ahead in real time. Instead the fault takes any existing frame, and the
    // serial section turns the min-watermark deficit into reclaim clusters owed by the guests in
    // proportion to their faults of the quantum (simCore.ts settleMinWatermark): the expected share
    // each guest pays in the one-worker interleaving, where the payer is whoever faults at min.
    if (this.deferMin && s[sb + GS_RECLAIM_OWED] > 0) {
      s[sb + GS_RECLAIM_OWED]--;
      const before = now;
      now = this.evictPages(now, SWAP_CLUSTER_MAX, true);
      reclaimNs += now - before;
      s[sb + GS_DIRECT_RECLAIM] += this.lastEvicted;
    }
    while (!this.host.tryTake(this.reserve)) {
      if (this.pinned) return -1;
      const before = now;
      now = this.evictPages(now, this.demandOnly ? 1 : SWAP_CLUSTER_MAX, true);
      if (this.lastEvicted === 0) return -1;
      reclaimNs += now - before;
      s[sb + GS_DIRECT_RECLAIM] += this.lastEvicted;
    }
    const f = this.flags[gfn];
    const refault = (f & PG_SWAPPED) !== 0;
    if (refault) {
      now += c[C_SWAP_IN];
      s[sb + GS_REFAULTS]++;
      const evictedAt = this.evictedAt[gfn];
      if (t - evictedAt <= this.windowNs) {
        s[sb + GS_REFAULTS_IN_WINDOW]++;
        this.evictBuckets[this.buckets + this.bucketOf(evictedAt)]++;
      }
    } else {
      s[sb + GS_COLD]++;
    }
    const start = this.vlock.readStart(now);
    const lockWait = start - now;
    s[sb + GS_LOCK_WAIT_NS] += lockWait;
    s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    now = start + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
    const attrs = this.attrLoByWrite[write ? 1 : 0];
    let r = this.map(gfn, attrs);
    // ENOMEM: every free table page is an unlinked one waiting for its RCU grace period (cheap runs
    // unlink and relink tables faster than quanta end). KVM's fault path would fail its memory-cache
    // top-up and retry; here the ripe frees run now (rcuPoll, as at a quantum's end) and the map retries.
    for (let tries = 0; r !== 0 && tries < 3; tries++) {
      rcuPoll(this.rcu);
      r = this.map(gfn, attrs);
    }
    if (r !== 0) throw new Error(`stage-2 map of guest ${this.index} gfn ${gfn} failed (${r}): table arena exhausted`);
    this.vlock.readRelease(start, now, false);
    s[sb + GS_LOCK_HOLD_NS] += now - start;
    this.flags[gfn] = PG_RESIDENT | PG_TOUCHED | (f & PG_SWAPPED);
    s[sb + GS_RESIDENT]++;
    s[sb + GS_S2_FAULTS]++;
    s[sb + GS_STALL_NS] += now - t;
    // Unconstrained, a refault would have been a hit and a first touch would neither reclaim nor wait
    // (every MMU-lock writer is reclaim or aging).
    s[sb + GS_PRESSURE_NS] += refault ? now - t : reclaimNs + lockWait;
    this.policy.onMap(gfn);
    return now;
  }

  /** Access-flag fault (no FEAT_HAFDBS): trap, MMU lock for read, mkyoung, return. */
  afFault(gfn: number, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const trapped = t + c[C_AF_FAULT];
    const start = this.vlock.readStart(trapped);
    s[sb + GS_LOCK_WAIT_NS] += start - trapped;
    s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    readLock(this.lock);
    stage2Mkyoung(this.pgt, gfn * PAGE);
    readUnlock(this.lock);
    const end = start + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
    this.vlock.readRelease(start, end, false);
    s[sb + GS_LOCK_HOLD_NS] += end - start;
    s[sb + GS_AF_FAULTS]++;
    s[sb + GS_STALL_NS] += end - t;
    // AF was clear because aging harvested it (with mapYoung): unconstrained, nothing clears AF.
    s[sb + GS_PRESSURE_NS] += end - t;
    return end;
  }

  /** Permission fault on a write to a page mapped read-only: relax S2AP W under the read lock. */
  permFault(gfn: number, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const trapped = t + c[C_S2_FAULT];
    const start = this.vlock.readStart(trapped);
    s[sb + GS_LOCK_WAIT_NS] += start - trapped;
    s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    s[sb + GS_PRESSURE_NS] += start - trapped;
    readLock(this.lock);
    stage2SetWritable(this.pgt, gfn * PAGE);
    readUnlock(this.lock);
    const end = start + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
    this.vlock.readRelease(start, end, false);
    s[sb + GS_LOCK_HOLD_NS] += end - start;
    s[sb + GS_PERM_FAULTS]++;
    s[sb + GS_STALL_NS] += end - t;
    return end;
  }

  /**
   * Evict up to n pages chosen by the policy; sets lastEvicted. Returns the finish time. `byVcpu`:
   * direct reclaim on a vCPU's fault path (its MMU-lock waits are vCPU waits) rather than kswapd.
   */
  evictPages(t: number, n: number, byVcpu: boolean): number {
    this.lastEvicted = 0;
    if (this.pinned) return t;
    this.evictByVcpu = byVcpu;
    const h = this.harvester;
    h.t = t;
    let count = 0;
    while (count < n) {
      const v = this.policy.pickVictim(h, byVcpu);
      if (v < 0) break;
      h.t = this.evict(v, h.t);
      count++;
    }
    this.lastEvicted = count;
    return h.t;
  }

  /** Eviction-precision bucket of virtual time t (the last bucket takes anything past the run's end). */
  private bucketOf(t: number): number {
    const b = Math.floor(t / this.bucketNs);
    return b < this.buckets ? b : this.buckets - 1;
  }

  /** Unmap one victim (write lock), invalidate TLBs, swap it out, give its frame back. */
  private evict(gfn: number, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const start = this.vlock.writeStart(t);
    s[sb + GS_LOCK_WAIT_NS] += start - t;
    if (this.evictByVcpu) s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    writeLock(this.lock);
    stage2Unmap(this.pgt, gfn * PAGE, PAGE);
    writeUnlock(this.lock);
    const end = start + c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + c[C_TLB_INVALIDATE];
    this.vlock.writeRelease(start, end, false);
    s[sb + GS_LOCK_HOLD_NS] += end - start;
    if (this.tlbs !== null) this.tlbs.invalidate(gfn);
    s[sb + GS_TLBI]++;
    this.flags[gfn] = (this.flags[gfn] & ~PG_RESIDENT) | PG_SWAPPED;
    this.evictedAt[gfn] = end;
    this.evictBuckets[this.bucketOf(end)]++;
    s[sb + GS_RESIDENT]--;
    s[sb + GS_EVICTIONS]++;
    this.host.put(1);
    return end + c[C_SWAP_OUT];
  }
}
