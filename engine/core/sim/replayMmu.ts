/**
 * The stage-2 side of a lone trace replay's fault path (replayFault.ts, replay.ts): kvm->mmu_lock's
 * holds (the lone lock, replayLock.ts, or the virtual lock), the map of a faulting page at the level-3
 * entry the access's walk found (mapLeafAt; mapPage when it cannot be used) and Guest.evictOne without
 * a TLB model: kvm_unmap_gfn_range under the lock for write (unmapLeafAt at the leaf's known word,
 * unmapPage when its table would empty), try_to_unmap_one's flush of the VMM's PTE, the write hold of
 * kvm_mmu_notifier_invalidate_range_end (virt/kvm/kvm_main.c), __kvm_tlb_flush_vmid_ipa's stage-1 flush
 * (arch/tlb.ts), swap-out and the frame freed. Charged exactly as Guest.evictOne and Guest.mapLocked
 * in that configuration (test/sim/replay.test.ts compares).
 *
 * One class in a chain (VCpu <- ReplayMmu <- ReplayFaults <- TraceReplay) only to keep each file to one
 * concept: the methods compile and inline as in one class (same bytecode; V8 reaches them through the
 * prototype chain, constant for a run).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import {
  EAGAIN,
  mapLeafAt,
  stage2FastPaths,
  stage2GetLeaf,
  stage2Unlinks,
  stage2Unmap,
  unmapLeafAt,
} from '../arch/pgtable.ts';
import { mapPage, unmapPage } from '../arch/pgtableFast.ts';
import { hostUnmapFlushNs, invalidateEndHoldNs, mapHoldNs, unmapHoldNs } from './guest.ts';
import {
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  PG_RESIDENT,
  PG_HOST_YOUNG,
  PG_SWAPPED,
} from './simLayout.ts';
import { VCpu } from './vcpu.ts';
import type { Pgdat } from '../mm/pgdat.ts';
import type { Policy } from '../mm/policy/policy.ts';
import type { Pgt } from '../arch/pgtable.ts';
import type { VmTlbFlush } from '../arch/tlb.ts';
import type { HostFrames } from '../mm/hostFrames.ts';
import type { MmuInvalidate } from '../kvm/mmuInvalidate.ts';
import { VLock } from '../sync/vlock.ts';
import { LoneLock } from './replayLock.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';

/** Guest.fault's frame numbering: (guest << 28) + gfn (guest.ts FRAME_GUEST_SHIFT). */
const FRAME_GUEST_SHIFT = 28;
const PAGE = 4096;

/**
 * evictOne's first calls that take unmapPage (ReplayMmu.unmapPrimes): more than one, as V8 allocates a
 * function's feedback vector only after its first calls (lazy feedback allocation: 8 calls in V8 11.3,
 * or sooner by bytecode budget), and until then nothing records type feedback (session 16 (l): one
 * priming call did not keep evictOne from deoptimizing at its first table emptied; 32 did).
 */
const PRIME_CALLS = 32;

export class ReplayMmu extends VCpu {
  /** Finish time of the last fault / evictOne (see fault). */
  protected at = 0.5;
  // The costs read on every miss below are double fields from the start (`= DOUBLE_ZERO`: VCpuStat.walkNs says why).
  protected readonly bucketNs: number = DOUBLE_ZERO;
  protected readonly buckets: number;
  private readonly frameBase: number;
  /** invalidateEndHoldNs of the guest's costs. */
  protected readonly invalidateEndHold: number = DOUBLE_ZERO;
  /** hostUnmapFlushNs of the guest's costs: the VMM's PTE flush between the unmap's two holds. */
  private readonly hostUnmapFlush: number = DOUBLE_ZERO;
  /** unmapHoldNs of the guest's costs (they are fixed for a run). */
  protected readonly unmapHold: number = DOUBLE_ZERO;
  /** mapHoldNs of the guest's costs (with pKVM's share HVC: Guest.mapHvcNs). */
  protected readonly mapHold: number = DOUBLE_ZERO;
  /** Guest.faultWrite: the fault's map takes kvm->mmu_lock for write (kvm_fault_lock under pKVM, 6.14+). */
  protected readonly faultWrite: boolean;
  /**
   * Walk once (outside a debug arena, fast paths on): the Int32 word of each mapped gfn's level-3
   * leaf, -1 when not mapped by this replay. Contract: only this agent maps and unmaps on the arena
   * (one worker: replayEligible), a mapped 4 KiB leaf's table holds a live entry and so is never
   * unlinked, and every unmap of a gfn goes through evictOne, which resets the word. evictOne unmaps
   * at the word (unmapLeafAt) and the notifier's one-folio aging visits it (Harvester.leafOf).
   */
  protected readonly leafOf: Int32Array;
  /**
   * The level-3 entry word where this access's walk found no leaf (getLeafMiss), or -1, and
   * stage2Unlinks() then: the fault maps at that word (mapLeafAt) if no table was unlinked since
   * (direct reclaim unmaps pages before the map and may empty a table).
   */
  protected missWord = -1;
  protected missUnlinks = 0;
  protected readonly debugArena: boolean;
  /**
   * The MMU lock without the virtual lock's calendar (replayLock.ts: why a lone replay may skip it),
   * shared with the notifier; null with a shared VLock (never in a replay: one worker), then VLock.
   */
  protected readonly lone: LoneLock | null;
  /** Evictions (evictOne), turned into the guest's counters at flush (replayFault.ts). */
  protected evictsN = 0;
  /** evictOne's calls left that take unmapPage (see there; PRIME_CALLS). */
  private unmapPrimes = PRIME_CALLS;
  /**
   * The guest's arrays and objects used on every miss (g.stats, g.flags, ..., all readonly on Guest,
   * or set once before the replay is built: pgdat, lruvec, idBase), cached here: through `this.g` V8
   * reloads the field and re-checks g's shape at each use where it cannot prove g unchanged (after a
   * store or a call it does not inline), and loads the typed array's length and base pointer again;
   * from `this` the shape check of the receiver is shared by all the fields it loads. The guest's
   * counters are `gs`, the view of g.stats from g.sb (GS_WORDS words, the same memory): `gs[GS_X]` has
   * no load of sb and no index sum with its overflow check (~6 instructions a counter, six or more per
   * miss; callgrind, session 17 (c)).
   */
  protected readonly gs: Float64Array;
  protected readonly flags: Uint8Array;
  protected readonly evictedAt: Float32Array;
  protected readonly evictBuckets: Float64Array;
  /** The host node (Guest.pgdat) and the host lruvec holding the guest's pages, its first id there (Guest.onAccess). */
  protected readonly pgdat: Pgdat;
  protected readonly lruvec: Policy;
  protected readonly idBase: number;
  /** The guest's stage-2 tables, VM-wide TLB flush and host frames (readonly on Guest). */
  protected readonly pgt: Pgt;
  protected readonly tlbFlush: VmTlbFlush;
  protected readonly host: HostFrames;
  /** The guest's costs, its trap, swap-in and swap-out times, its mmu_invalidate state (readonly on Guest). */
  protected readonly costs: Float64Array;
  protected readonly s2TrapNs: number = DOUBLE_ZERO;
  protected readonly swapInNs: number = DOUBLE_ZERO;
  private readonly swapOutNs: number = DOUBLE_ZERO;
  protected readonly mmuInvalidate: MmuInvalidate;

  constructor(v: VCpu, config: ScenarioConfig) {
    super(v.g, v.vi, v.wl, v.hafdbs, v.clock);
    if (v.wl.trace === null || v.g.tlbs !== null) throw new Error('TraceReplay needs a trace workload and no TLB');
    this.bucketNs = config.run.sampleIntervalMs * 1e6;
    this.buckets = v.g.evictBuckets.length >> 1;
    this.frameBase = v.g.index * 2 ** FRAME_GUEST_SHIFT;
    // One worker (replayEligible): only this agent takes and frees host frames (hostFrames.ts).
    v.g.host.singleAgent = true;
    v.g.harvester.loneAgent = true; // nor the notifier's real rwlock (mmuNotifier.ts)
    this.unmapHold = unmapHoldNs(v.g.costs, v.g.cmoNs, v.g.unmapHvcNs);
    this.invalidateEndHold = invalidateEndHoldNs(v.g.costs);
    this.hostUnmapFlush = hostUnmapFlushNs(v.g.costs, v.g.kick !== null);
    this.mapHold = mapHoldNs(v.g.costs, v.g.cmoNs, v.g.mapHvcNs);
    this.faultWrite = v.g.faultWrite;
    this.leafOf = new Int32Array(v.g.pages).fill(-1);
    this.debugArena = v.g.pgt.views.debugPoison;
    if (!this.debugArena) v.g.harvester.leafOf = this.leafOf;
    const vl = v.g.vlock;
    this.lone = vl.constructor === VLock ? new LoneLock(vl) : null;
    v.g.harvester.loneLock = this.lone;
    this.gs = v.g.gs;
    this.flags = v.g.flags;
    this.evictedAt = v.g.evictedAt;
    this.evictBuckets = v.g.evictBuckets;
    this.pgdat = v.g.pgdat;
    this.lruvec = v.g.lruvec;
    this.idBase = v.g.idBase;
    this.pgt = v.g.pgt;
    this.tlbFlush = v.g.tlbFlush;
    this.host = v.g.host;
    this.costs = v.g.costs;
    this.s2TrapNs = v.g.s2TrapNs;
    this.swapInNs = v.g.swapInNs;
    this.swapOutNs = v.g.swapOutNs;
    this.mmuInvalidate = v.g.mmuInvalidate;
  }

  /** A request of kvm->mmu_lock, in fields (a double passed to a call that is not inlined is a heap number). */
  protected reqT = DOUBLE_ZERO;
  protected reqHold = DOUBLE_ZERO;
  /** The granted hold's start (lockHold). */
  protected grantAt = DOUBLE_ZERO;

  /**
   * kvm->mmu_lock for write or read at reqT for reqHold: the lone lock (granted at once; its histogram
   * counted at flush from faultsN / evictsN / retriesN) or the virtual lock with its waits counted; the
   * hold is counted, its start left in grantAt.
   */
  protected lockHold(write: boolean): void {
    const lone = this.lone;
    if (lone === null) {
      this.vlockHold(write);
      return;
    }
    const t = this.reqT;
    const hold = this.reqHold;
    lone.reqT = t;
    lone.reqHold = hold;
    lone.grantOnly(); // and GS_LOCK_HOLD_NS += hold, in lone.holdNs while steps runs (replayLock.ts)
    this.grantAt = t;
  }

  /**
   * lockHold through the virtual lock (no lone lock: never in a replay, which has one worker), apart
   * from lockHold so that the lone path stays small enough for TurboFan to inline at each of its
   * four call sites per miss (at 215 bytes of bytecode it was a call in fault, session 10).
   */
  private vlockHold(write: boolean): void {
    const t = this.reqT;
    const hold = this.reqHold;
    const g = this.g;
    const s = g.stats;
    const sb = g.sb;
    const vlock = g.vlock;
    vlock.reqT = t;
    vlock.reqHold = hold;
    if (write) vlock.writeReq(false);
    else vlock.readReq();
    this.grantAt = vlock.grant;
    s[sb + GS_LOCK_WAIT_NS] += vlock.grant - t;
    s[sb + GS_LOCK_WAIT_AGING_NS] += vlock.agingWaitNs;
    s[sb + GS_LOCK_HOLD_NS] += hold;
  }

  /**
   * Guest.evictOne(gfn, t, byVcpu = true) with no TLB model: kvm_unmap_gfn_range under the virtual
   * MMU lock for write (the real rwlock is not taken: one agent), swap-out, frame freed, at the time
   * in `at`; the finish time (after the swap-out) is left there.
   */
  protected evictOne(gfn: number): void {
    const t = this.at;
    const hold = this.unmapHold;
    this.reqT = t;
    this.reqHold = hold;
    this.lockHold(true);
    const start = this.grantAt;
    // Locals and fields of the replay (pgt, leafOf, tlbFlush, host) rather than g's: see ReplayMmu.gs.
    const pgt = this.pgt;
    const leafOf = this.leafOf;
    if (stage2FastPaths()) {
      const w = leafOf[gfn];
      // The first evictions take unmapPage (the same walk: pgtableFast.ts's contract), so that its call
      // site has type feedback before TurboFan compiles evictOne: reached first at the first table
      // emptied (unmapLeafAt false), it deoptimized evictOne (session 16 (l)).
      if (w < 0 || this.unmapPrimes !== 0 || !unmapLeafAt(pgt, w, gfn)) {
        if (this.unmapPrimes !== 0) this.unmapPrimes--;
        unmapPage(pgt, gfn);
      }
    } else stage2Unmap(pgt, gfn * PAGE, PAGE);
    leafOf[gfn] = -1;
    const unmapEnd = start + hold;
    // try_to_unmap_one's flush of the VMM's PTE (hostUnmapFlushNs), then
    // kvm_mmu_notifier_invalidate_range_end's write hold (Guest.invalidateEnd).
    const endHold = this.invalidateEndHold;
    this.reqT = unmapEnd + this.hostUnmapFlush;
    this.reqHold = endHold;
    this.lockHold(true);
    const end = this.grantAt + endHold;
    this.tlbFlush.flushStage1(); // as Guest.evictOne: every vCPU of this VM re-walks its stage-1 next
    const flags = this.flags;
    flags[gfn] = (flags[gfn] & ~(PG_RESIDENT | PG_HOST_YOUNG)) | PG_SWAPPED;
    this.evictedAt[gfn] = unmapEnd;
    const b = Math.floor(unmapEnd / this.bucketNs); // Guest.bucketOf
    this.evictBuckets[b < this.buckets ? b : this.buckets - 1]++;
    // GS_TLBI += UNMAP_TLBIS, GS_RESIDENT--, GS_EVICTIONS++ and the caller's GS_DIRECT_RECLAIM++ (flush).
    this.evictsN++;
    this.host.put(1);
    this.at = end + this.swapOutNs;
  }

  /**
   * stage2Map of gfn (mapPage, shared, retried on EAGAIN), at the entry this access's walk found
   * (mapLeafAt) when no table was unlinked since; records the leaf's word in leafOf.
   */
  protected map(gfn: number, lo: number, hi: number): number {
    const pgt = this.pgt;
    const frame = this.frameBase + gfn;
    let r: number;
    const w = this.missWord;
    this.missWord = -1; // one use: a retry (ENOMEM, after RCU frees) descends
    if (w >= 0 && stage2Unlinks() === this.missUnlinks && stage2FastPaths()) {
      do r = mapLeafAt(pgt, w, gfn, frame, lo, hi, true);
      while (r === EAGAIN);
      if (r === 0) this.leafOf[gfn] = w;
      return r;
    }
    do r = mapPage(pgt, gfn, frame, lo, hi, true);
    while (r === EAGAIN);
    if (r === 0 && !this.debugArena) this.leafOf[gfn] = stage2GetLeaf(pgt, gfn * PAGE);
    return r;
  }
}
