/**
 * The fault of a lone trace replay (replay.ts, TraceReplay): Guest.fault of a demand-only guest alone
 * on one worker (reserve 0, no deferred min watermark): direct reclaim of the host node one folio at a
 * time (Pgdat.directReclaimStep taken apart: shrink_node in mm/vmscan.c, the lruvec's Policy.pickVictim
 * with the node as its Reclaimer, then ReplayMmu.evictOne), the refault's swap-in and its accounting,
 * user_mem_abort's mmu_invalidate_retry after an eviction (arch/arm64/kvm/mmu.c), and the map under
 * kvm->mmu_lock for read (ReplayMmu.map); and the counters this path keeps in fields until flush. The
 * virtual time and every counter are charged exactly as Guest.fault + Pgdat.directReclaimStep +
 * Guest.evictOne do in that configuration; test/sim/replay.test.ts compares both paths.
 *
 * Performance contract: as replay.ts's (no allocation; virtual times travel in fields). The map, the
 * unmap and the lock holds are ReplayMmu's (replayMmu.ts); TraceReplay (replay.ts) extends this class.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs } from '../arch/descriptor.ts';
import { SCAN_AGAIN } from '../mm/policy/policy.ts';
import { rcuPoll } from '../sync/rcu.ts';
import { C_AF_FAULT, C_LOCK_ACQUIRE } from './costs.ts';
import { UNMAP_TLBIS } from './guest.ts';
import { FAULTIN_FAST_NS } from '../kvm/faultinFast.ts';
import { readFaultWritable } from '../kvm/faultinWritable.ts';
import { markOnMap } from '../kvm/faultinMarks.ts';
import {
  GS_COLD,
  GS_DIRECT_RECLAIM,
  GS_PRESSURE_NS,
  GS_REFAULTS,
  GS_REFAULTS_IN_WINDOW,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_EVICTIONS,
  GS_TLBI,
  PG_RESIDENT,
  PG_HOST_YOUNG,
  PG_SWAPPED,
  PG_TOUCHED,
} from './simLayout.ts';
import type { VCpu } from './vcpu.ts';
import { ReplayMmu } from './replayMmu.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { FAULTED, FAULTED_NO_FRAME, FAULTED_SUSPENDED } from './faultConsts.ts';

/** ReplayFaults.fault's results (faultConsts.ts: an import-free module, so they are inlined). */
export { FAULTED, FAULTED_NO_FRAME, FAULTED_SUSPENDED } from './faultConsts.ts';

export class ReplayFaults extends ReplayMmu {
  /** A fault suspended in direct reclaim (VCpu.resumeFault): its start and reclaim time so far. */
  private susT0 = DOUBLE_ZERO;
  private susReclaimNs = DOUBLE_ZERO;
  private readonly windowNs: number = DOUBLE_ZERO; // a double field (vcpuStat.ts walkNs)
  private readonly attrLo: number;
  private readonly attrHi: number;
  private readonly attrLoW: number;
  private readonly attrHiW: number;
  /**
   * Events counted here and turned into the guest's counters at flush (the end of each scheduler step
   * and of each quantum, before anything reads them: sample rows, the probe, the result), as VCpu
   * keeps hits and accesses: this path's faults, refaults and evictions (evictOne), and the lone MMU
   * lock's grants of their holds. Each of the counters they stand for moved by a whole number per
   * event (GS_S2_FAULTS, GS_COLD, GS_REFAULTS, GS_RESIDENT, GS_EVICTIONS, GS_DIRECT_RECLAIM,
   * GS_TLBI, the lock's wait and hold histograms), so the sums are exact in any order; the time
   * sums (stall, pressure, hold ns) are not exact in another order and are still added per event.
   * test/sim/replay.test.ts compares them with the general path's per-event counts.
   */
  private faultsN = 0;
  private refaultsN = 0;
  /** mmu_invalidate_retry's read holds (fault), counted in the lone lock's histogram at flush. */
  private retriesN = 0;
  /** Guest.hostYoungOnMap: the fault's host PTE is young (mm/hostPte.ts). */
  private readonly hostYoungOnMap: number;
  /**
   * Whether pgdat.snapshotRefaults() (do_try_to_free_pages' snapshot_refaults, at the end of each
   * reclaim call) does anything here: false when the node's only lruvec is this guest's and its policy
   * has no snapshotRefaults (exact LRU, CLOCK, MGLRU), so the loop over the node's lruvecs with its
   * optional call is skipped (~45 instructions per eviction, callgrind). Pgdat.lruvecPolicies is filled
   * in the node's constructor and a policy's methods are its class's: fixed for the run.
   */
  private readonly snapshots: boolean;

  constructor(v: VCpu, config: ScenarioConfig) {
    super(v, config);
    this.windowNs = config.run.refaultWindowMs * 1e6;
    const young = config.reclaim.mapYoung;
    this.hostYoungOnMap = young ? PG_HOST_YOUNG : 0;
    const ps = v.g.pgdat.lruvecPolicies;
    this.snapshots = !(ps.length === 1 && ps[0] === v.g.lruvec && v.g.lruvec.snapshotRefaults === undefined);
    const r = leafAttrs({ write: false, young });
    const w = leafAttrs({ write: true, young });
    this.attrLo = r.lo;
    this.attrHi = r.hi;
    this.attrLoW = w.lo;
    this.attrHiW = w.hi;
  }

  /** VCpu.flush, and the counters this path and the notifier keep in fields (faultsN, refaultsN, evictsN; AgeGfn.flushCounts). */
  override flush(): void {
    super.flush();
    // The notifier's per-folio counts kept in its fields (AgeGfn.flushCounts), also after a fault suspended
    // in direct reclaim (folios considered, no fault or eviction counted yet).
    this.g.harvester.flushCounts();
    if (this.lone !== null) this.lone.flushWaits(); // the notifier's holds' waits (replayLock.ts)
    const f = this.faultsN;
    const e = this.evictsN;
    if (f === 0 && e === 0) return;
    const r = this.refaultsN;
    const s = this.gs;
    s[GS_S2_FAULTS] += f;
    s[GS_REFAULTS] += r;
    s[GS_COLD] += f - r;
    s[GS_RESIDENT] += f - e;
    s[GS_EVICTIONS] += e;
    s[GS_DIRECT_RECLAIM] += e;
    s[GS_TLBI] += e * UNMAP_TLBIS;
    const lone = this.lone;
    if (lone !== null) {
      if (this.faultWrite === true) {
        lone.countWrites(f, this.mapHold);
        lone.countWrites(this.retriesN, this.g.costs[C_LOCK_ACQUIRE]);
      } else {
        lone.countReads(f, this.mapHold);
        lone.countReads(this.retriesN, this.g.costs[C_LOCK_ACQUIRE]);
      }
      lone.countWrites(e, this.unmapHold);
      lone.countWrites(e, this.invalidateEndHold);
    }
    this.faultsN = 0;
    this.retriesN = 0;
    this.refaultsN = 0;
    this.evictsN = 0;
  }

  /**
   * Guest.fault of a demand-only guest on one worker (reserve 0, no deferred min watermark), at the
   * time in `at` (resume: go on with the fault suspended there). FAULTED_NO_FRAME when no frame can be
   * had; FAULTED_SUSPENDED when its direct reclaim stopped between two folios at or past limit (the
   * time in `at`); else FAULTED with the finish time in `at` (times travel in fields, not arguments
   * and return values: a double passed to or returned from a call that is not inlined is a heap
   * number, an allocation each).
   */
  protected fault(gfn: number, write: boolean, resume: boolean, limit: number): number {
    const g = this.g;
    const s = this.gs; // fields of the replay, not g's: see ReplayMmu.gs
    const c = this.costs;
    let t = this.at;
    let now = t + this.s2TrapNs; // Guest.s2TrapNs: s2Fault less pKVM's map HVC (in mapHold)
    let reclaimNs = 0;
    if (resume === true) {
      now = t;
      t = this.susT0;
      reclaimNs = this.susReclaimNs;
    }
    // Direct reclaim of the host node, one page at a time (demand-only), as Guest.fault does: here
    // Pgdat.directReclaimStep(now) of the node's one lruvec (shrink_node, one folio a step) is taken
    // apart, the policy picks the victim with the node as its Reclaimer and evictOne runs below. One
    // vCPU and nothing else running: Guest.fault would never suspend between steps.
    const host = this.host;
    const pg = this.pgdat;
    const lruvec = this.lruvec;
    // Whether this fault's reclaim invalidated a page of the VM (evictOne below; it is always the loop's
    // last step, as the eviction frees the frame the next tryTake takes, so never before a suspension).
    let invalidated = false;
    while (!host.tryTake(0)) {
      pg.beginDirectReclaim(now);
      const id = lruvec.pickVictim(pg, true);
      if (id === SCAN_AGAIN) {
        // A young folio rotated: the cluster goes on with the next step.
        pg.lastEvicted = 0;
        pg.scanAgain = true;
        reclaimNs += pg.t - now;
        now = pg.t;
        if (now >= limit) {
          this.susT0 = t;
          this.susReclaimNs = reclaimNs;
          this.at = now;
          return FAULTED_SUSPENDED;
        }
        continue;
      }
      if (id < 0) {
        pg.lastEvicted = 0;
        pg.scanAgain = false;
        // As allocFrame (mm/directReclaim.ts): the cluster ends (do_try_to_free_pages' snapshot_refaults),
        // and the fault gives up at the pick's end: stalled from its start, the retry from there (`at`).
        if (this.snapshots === true) pg.snapshotRefaults();
        now = pg.t;
        s[GS_STALL_NS] += now - t;
        s[GS_PRESSURE_NS] += now - t;
        this.at = now;
        return FAULTED_NO_FRAME;
      }
      this.at = pg.t;
      this.evictOne(id - this.idBase);
      invalidated = true;
      pg.t = this.at;
      pg.lastEvicted = 1;
      // A demand-only cluster is one eviction (allocFrame's left = 1): do_try_to_free_pages ends with
      // snapshot_refaults (mm/vmscan.c), the classic LRU's DEACTIVATE_ANON reference (Policy.snapshotRefaults).
      if (this.snapshots === true) pg.snapshotRefaults();
      reclaimNs += this.at - now;
      now = this.at;
      // GS_DIRECT_RECLAIM += 1: one per evictOne, counted there (evictsN, flush).
    }
    const flags = this.flags;
    const f = flags[gfn];
    const refault = (f & PG_SWAPPED) !== 0;
    if (refault) {
      now += this.swapInNs;
      this.refaultsN++; // GS_REFAULTS (flush; GS_COLD is the other faults)
      const evictedAt = this.evictedAt[gfn];
      if (t - evictedAt <= this.windowNs) {
        s[GS_REFAULTS_IN_WINDOW]++;
        const b = Math.floor(evictedAt / this.bucketNs); // Guest.bucketOf
        this.evictBuckets[this.buckets + (b < this.buckets ? b : this.buckets - 1)]++;
      }
    }
    if (invalidated) {
      // Guest.mapLocked's mmu_invalidate_retry: the eviction above ran after user_mem_abort read mmu_seq,
      // so the check under read_lock fails (kvm_mmu_invalidate_end moved mmu_invalidate_seq): a hold of
      // the lock's acquire and release, back to the guest, and the same stage-2 fault again (Guest.refaultNs:
      // the trap, afFault, and the fast path, FAULTIN_FAST_NS), with the page in memory now and nothing else
      // running to invalidate during it.
      this.mmuInvalidate.retries++;
      const check = c[C_LOCK_ACQUIRE];
      this.reqT = now;
      this.reqHold = check;
      this.lockHold(this.faultWrite); // kvm_fault_lock: write under pKVM (Guest.mapLocked)
      this.retriesN++; // the lone lock's histogram: a read hold of `check` (flush)
      const next = this.grantAt + check + c[C_AF_FAULT] + FAULTIN_FAST_NS;
      reclaimNs += next - now;
      now = next;
    }
    // The map's hold (kvm_fault_lock: read, write under pKVM); a lone lock's histogram counts are added at
    // flush (faultsN holds of mapHold).
    const hold = this.mapHold;
    this.reqT = now;
    this.reqHold = hold;
    this.lockHold(this.faultWrite);
    const lockWait = this.grantAt - now;
    now = this.grantAt + hold;
    // Guest.fault's choice (kvm/userMemAbort.ts): writable on a write, or on a read when hva_to_pfn's
    // FOLL_WRITE fast pin succeeds (kvm/faultinWritable.ts; no page here was pre-faulted by the VMM).
    // `=== true`: a boolean parameter of a call that is not inlined is tested with a full ToBoolean (replay.ts).
    const writable = write === true || readFaultWritable(g.backing, false);
    const lo = writable ? this.attrLoW : this.attrLo;
    const hi = writable ? this.attrHiW : this.attrHi;
    let r = this.map(gfn, lo, hi);
    // ENOMEM: every free table page is an unlinked one waiting for its grace period; as in
    // Guest.fault, the ripe RCU frees run now and the map retries.
    for (let tries = 0; r !== 0 && tries < 3; tries++) {
      rcuPoll(g.rcu);
      r = this.map(gfn, lo, hi);
    }
    if (r !== 0) mapFailed(g.index, gfn, r);
    flags[gfn] = PG_RESIDENT | PG_TOUCHED | (f & PG_SWAPPED) | this.hostYoungOnMap; // Guest.fault's host PTE
    this.faultsN++; // GS_RESIDENT++, GS_S2_FAULTS++ (flush)
    s[GS_STALL_NS] += now - t;
    s[GS_PRESSURE_NS] += refault ? now - t : reclaimNs + lockWait;
    lruvec.onMap(this.idBase + gfn);
    // Guest.fault's marks (kvm/faultinMarks.ts): no page here was pre-faulted, so every fault
    // takes slow GUP (FOLL_TOUCH's mark, no GUP-fast PG_referenced) and the release's marks.
    // The guard: exact LRU and CLOCK (no markAccessed) skip even the no-op call (callgrind, session 14).
    if (lruvec.markAccessed !== undefined) markOnMap(lruvec, this.idBase + gfn, 1 + g.faultMarks);
    this.at = now;
    return FAULTED;
  }
}

/** fault's map failed after its retries (out of line: the message's bytecode counted against fault's inlining). */
function mapFailed(guest: number, gfn: number, r: number): never {
  throw new Error(`stage-2 map of guest ${guest} gfn ${gfn} failed (${r}): table arena exhausted`);
}
