/**
 * The trace-replay fast path: a vCPU that replays a trace in a run that needs nothing but its own
 * accesses (one worker, one guest, one vCPU, demand-only reclaim, no TLB model). Such a run is the
 * trace oracle and the libCacheSim comparison: millions of requests, ~70 % of them misses.
 *
 * What it runs, unchanged: the stage-2 code (pgtableFast.ts: stage2GetLeaf on every access, mapPage
 * on a fault, unmapPage on an eviction, empty tables unlinked and handed to callRcu through the
 * guest's MmOps), the AF code (hardware AF by stage2TrySetPte; Guest.afFault / permFault when the
 * hardware has no FEAT_HAFDBS or the page is read-only) and the policy
 * code (the lruvec's Policy: onMap, onAccess, pickVictim with the host node, mm/pgdat.ts, as its
 * Reclaimer, so folio_referenced goes through the mmu notifier as in shrink_node). The virtual time
 * and every counter are charged exactly as VCpu.run + Guest.fault + Pgdat.directReclaimStep +
 * Guest.evictOne do in that configuration (fault and evictOne below are their copies for it);
 * test/sim/replay.test.ts requires identical summaries, sample rows and arena bytes from both
 * paths, so a change to either shows up there.
 *
 * What it skips, because one agent needs none of it: the virtual MMU lock's calendar (vlock.ts; the
 * holds are still charged and counted: replayLock.ts says why no hold can wait), the stage-2 walk's
 * descent from the root when the walk caches know the level-3 table (l3Of, leafOf: the same entry is
 * read and the same walk cost charged), the real MMU rwlock around map and unmap and
 * in the mmu notifier's aging calls (nobody to exclude; its counters are not part of a run's
 * results), atomic updates of the host's free-frame count (HostFrames.singleAgent), the TLB model
 * (off), shrink_node's lruvec selection (one lruvec), the frame-retry loop's generality (a
 * demand-only guest always has a victim or fails), and the per-access dispatch of WorkloadGen.next
 * (it reads the trace array directly).
 *
 * Performance contract (the libCacheSim comparison, bench/replay.ts): per request only typed-array
 * work and monomorphic calls, no allocation; virtual times travel in fields (`at`, VLock.reqT), as
 * V8 passes a double to a call it does not inline as a new heap number.
 *
 * Selection: replaySelect.ts (replayEligible, selectReplay), called by the runner after it builds
 * the worker's actors.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs } from '../arch/descriptor.ts';
import {
  EAGAIN,
  getLeafMiss,
  mapLeafAt,
  stage2FastPaths,
  stage2GetLeaf,
  stage2Unlinks,
  stage2Unmap,
  unmapLeafAt,
} from '../arch/pgtable.ts';
import { mapPage, unmapPage } from '../arch/pgtableFast.ts';
import { SCAN_AGAIN, type Policy } from '../mm/policy/policy.ts';
import { rcuPoll } from '../sync/rcu.ts';
import type { StopCheck } from './actor.ts';
import { C_AF_FAULT, C_LOCK_ACQUIRE, C_S2_FAULT } from './costs.ts';
import { UNMAP_TLBIS, hostUnmapFlushNs, invalidateEndHoldNs, mapHoldNs, unmapHoldNs } from './guest.ts';
import { FAULTIN_FAST_NS } from '../kvm/mmuInvalidate.ts';
import {
  GS_COLD,
  GS_DIRECT_RECLAIM,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
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
import {
  FRAME_RETRY_NS,
  translate,
  translateLeaf,
  TX_AF_FAULT,
  TX_CAS_FAIL,
  TX_HW_AF,
  TX_MISS,
  TX_PERM,
  VCpu,
} from './vcpu.ts';
import { VLock } from '../sync/vlock.ts';
import { LoneLock } from './replayLock.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';

/** Guest.fault's frame numbering: (guest << 28) + gfn (guest.ts FRAME_GUEST_SHIFT). */
const FRAME_GUEST_SHIFT = 28;
const PAGE = 4096;
/** Requests between two stop checks of a lone replay (runAlone). */
const STOP_EVERY = 1024;

/** TraceReplay.fault's results. */
const FAULTED = 0;
const FAULTED_NO_FRAME = 1;
const FAULTED_SUSPENDED = 2;

export class TraceReplay extends VCpu {
  /** Finish time of the last fault / evictOne (see fault). */
  private at = 0.5;
  /** A fault suspended in direct reclaim (VCpu.resumeFault): its start and reclaim time so far. */
  private susT0 = DOUBLE_ZERO;
  private susReclaimNs = DOUBLE_ZERO;
  private readonly windowNs: number;
  private readonly bucketNs: number;
  private readonly buckets: number;
  private readonly frameBase: number;
  private readonly attrLo: number;
  private readonly attrHi: number;
  private readonly attrLoW: number;
  private readonly attrHiW: number;
  /** The host lruvec holding the guest's pages and the guest's first id on it (Guest.onAccess). */
  private readonly lruvec: Policy;
  private readonly idBase: number;
  /** Exact LRU: the policy sees every access (Guest.policy.seesEveryAccess). */
  private readonly seesAll: boolean;
  private readonly trace: Uint32Array;
  private readonly traceLength: number;
  private readonly writes: boolean;
  private readonly thinkNs: number;
  /** invalidateEndHoldNs of the guest's costs. */
  private readonly invalidateEndHold: number;
  /** hostUnmapFlushNs of the guest's costs: the VMM's PTE flush between the unmap's two holds. */
  private readonly hostUnmapFlush: number;
  /** unmapHoldNs of the guest's costs (they are fixed for a run). */
  private readonly unmapHold: number;
  /** mapHoldNs of the guest's costs. */
  private readonly mapHold: number;
  /**
   * Walk once (outside a debug arena, fast paths on): the Int32 word of each mapped gfn's level-3
   * leaf, -1 when not mapped by this replay. Contract: only this agent maps and unmaps on the arena
   * (one worker: replayEligible), a mapped 4 KiB leaf's table holds a live entry and so is never
   * unlinked, and every unmap of a gfn goes through evictOne, which resets the word. evictOne unmaps
   * at the word (unmapLeafAt) and the notifier's one-folio aging visits it (Harvester.leafOf).
   */
  private readonly leafOf: Int32Array;
  /**
   * The level-3 entry word where this access's walk found no leaf (getLeafMiss), or -1, and
   * stage2Unlinks() then: the fault maps at that word (mapLeafAt) if no table was unlinked since
   * (direct reclaim unmaps pages before the map and may empty a table).
   */
  private missWord = -1;
  private missUnlinks = 0;
  private readonly debugArena: boolean;
  /**
   * The walk cache of the level-3 tables (outside a debug arena): per 2 MiB region of the guest
   * (gfn >>> 9), 1 + the Int32 word where its level-3 table's entries start, 0 when not known. An
   * entry is filled by a walk that reached level 3 and is valid while no table is unlinked
   * (stage2Unlinks() === l3At[region], the count when it was filled): a table stays linked where the
   * walk found it until it is unlinked (pgtable.ts), so the upper levels' descriptors the walk would
   * read again are the ones it read, and the level-3 entry read at the cached table is the walk's
   * result. Hardware keeps such entries in its walk caches (Arm ARM D8.10, "translation table walk
   * caches"), which the unlink's TLBI invalidates; the cost charged per access stays walkNs.
   */
  private readonly l3Of: Int32Array;
  /**
   * stage2Unlinks() when l3Of[region] was filled. A tag per entry rather than one epoch for all with
   * every entry dropped (fill) when a table is unlinked: that branch was first reached at the first
   * unlink, after the hot loop was compiled, and deoptimized steps (which inlines translateCached).
   */
  private readonly l3At: Int32Array;
  /**
   * The MMU lock without the virtual lock's calendar (replayLock.ts: why a lone replay may skip it),
   * shared with the notifier; null with a shared VLock (never in a replay: one worker), then VLock.
   */
  private readonly lone: LoneLock | null;
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
  private evictsN = 0;
  /** mmu_invalidate_retry's read holds (fault), counted in the lone lock's histogram at flush. */
  private retriesN = 0;
  /** Guest.hostYoungOnMap: the fault's host PTE is young (mm/hostPte.ts). */
  private readonly hostYoungOnMap: number;

  constructor(v: VCpu, config: ScenarioConfig) {
    super(v.g, v.vi, v.wl, v.hafdbs, v.clock);
    if (v.wl.trace === null || v.g.tlbs !== null) throw new Error('TraceReplay needs a trace workload and no TLB');
    this.windowNs = config.run.refaultWindowMs * 1e6;
    this.bucketNs = config.run.sampleIntervalMs * 1e6;
    this.buckets = v.g.evictBuckets.length >> 1;
    this.frameBase = v.g.index * 2 ** FRAME_GUEST_SHIFT;
    const young = config.reclaim.mapYoung;
    this.hostYoungOnMap = young ? PG_HOST_YOUNG : 0;
    const r = leafAttrs({ write: false, young });
    const w = leafAttrs({ write: true, young });
    this.attrLo = r.lo;
    this.attrHi = r.hi;
    this.attrLoW = w.lo;
    this.attrHiW = w.hi;
    // One worker (replayEligible): only this agent takes and frees host frames (hostFrames.ts).
    v.g.host.singleAgent = true;
    v.g.harvester.loneAgent = true; // nor the notifier's real rwlock (mmuNotifier.ts)
    this.lruvec = v.g.lruvec;
    this.idBase = v.g.idBase;
    this.seesAll = v.g.lruvec.seesEveryAccess;
    this.trace = v.wl.trace;
    this.traceLength = v.wl.trace.length;
    this.writes = v.wl.writeFraction > 0;
    this.thinkNs = v.wl.thinkNs;
    this.unmapHold = unmapHoldNs(v.g.costs, v.g.cmoNs);
    this.invalidateEndHold = invalidateEndHoldNs(v.g.costs);
    this.hostUnmapFlush = hostUnmapFlushNs(v.g.costs, v.g.kick !== null);
    this.mapHold = mapHoldNs(v.g.costs, v.g.cmoNs);
    this.leafOf = new Int32Array(v.g.pages).fill(-1);
    this.debugArena = v.g.pgt.views.debugPoison;
    if (!this.debugArena) v.g.harvester.leafOf = this.leafOf;
    this.l3Of = new Int32Array(Math.ceil(v.g.pages / 512) + 1);
    this.l3At = new Int32Array(this.l3Of.length);
    const vl = v.g.vlock;
    this.lone = vl.constructor === VLock ? new LoneLock(vl) : null;
    v.g.harvester.loneLock = this.lone;
  }

  /**
   * VCpu.run for this configuration: the same accesses, costs and counters. Alone on its worker (every
   * eligible run) the scheduler calls runAlone instead; run is the general scheduler's entry, for
   * pieces of at most STOP_CHECK_NS of virtual time (simCore.ts), about one request when they miss.
   * Counters go straight to the fields.
   */
  override run(limit: number): void {
    this.steps(limit, null);
  }

  /**
   * The scheduler's pieces (STOP_CHECK_NS each, simCore.ts) in one call when this vCPU is alone on
   * the worker: the same steps, as run() is transparent to where its limit falls (a fault suspended
   * at a limit resumes where it stopped; test/sim/replay.test.ts compares with the general path).
   * `stop` is asked every STOP_EVERY requests instead of every piece: at most a few hundred
   * microseconds of wall time between two checks.
   */
  runAlone(limit: number, stop: StopCheck): void {
    this.steps(limit, stop);
  }

  private steps(limit: number, stop: StopCheck | null): void {
    const wl = this.wl;
    let t = this.clock;
    let countdown = STOP_EVERY;
    do {
      if (--countdown === 0) {
        countdown = STOP_EVERY;
        if (stop !== null && stop.stopRequested()) break;
      }
      let gfn = this.pendingGfn;
      let write = false;
      if (gfn < 0) {
        const i = wl.cursor;
        if (i >= this.traceLength) {
          this.finish(t);
          return;
        }
        wl.cursor = i + wl.stride;
        gfn = this.trace[i];
        if (this.writes) write = wl.isWrite();
      } else {
        write = this.pendingWrite;
        this.pendingGfn = -1;
      }
      // As VCpu.run: a fault suspended in direct reclaim goes on where it stopped (no re-walk).
      const resume = this.resumeFault;
      this.resumeFault = false;
      let x = TX_MISS;
      if (!resume) {
        t += this.refill(); // as VCpu.run: a VM-wide flush since the last translation (arch/tlb.ts)
        t += this.walkNs;
        x = this.debugArena ? translate(this.g.pgt, gfn, write, this.hafdbs) : this.translateCached(gfn, write);
      }
      if ((x & TX_MISS) === 0) {
        if ((x & TX_HW_AF) !== 0) {
          if ((x & TX_CAS_FAIL) !== 0) this.casFail++;
          this.hwAf++;
          t += this.hwAfNs;
        } else if ((x & TX_AF_FAULT) !== 0) {
          t = this.g.afFault(gfn, t);
        }
        if ((x & TX_PERM) !== 0) t = this.g.permFault(gfn, t);
        this.hits++;
        if (this.seesAll) this.lruvec.onAccess(this.idBase + gfn); // Guest.onAccess
        t += this.memNs;
      } else {
        this.at = t;
        const r = this.fault(gfn, write, resume, limit);
        if (r === FAULTED_SUSPENDED) {
          this.pendingGfn = gfn;
          this.pendingWrite = write;
          this.resumeFault = true;
          t = this.at; // >= limit: the loop ends
          continue;
        }
        if (r === FAULTED_NO_FRAME) {
          this.pendingGfn = gfn;
          this.pendingWrite = write;
          t += FRAME_RETRY_NS;
          this.retryStall += FRAME_RETRY_NS;
          this.retryWalkNs += this.walkNs;
          continue;
        }
        t = this.at + this.memNs;
      }
      this.accesses++;
      t += this.thinkNs;
    } while (t < limit);
    this.clock = t;
  }

  /** VCpu.flush, and the counters this path keeps in fields (faultsN, refaultsN, evictsN). */
  override flush(): void {
    super.flush();
    const f = this.faultsN;
    const e = this.evictsN;
    if (f === 0 && e === 0) return;
    const r = this.refaultsN;
    const s = this.g.stats;
    const sb = this.g.sb;
    s[sb + GS_S2_FAULTS] += f;
    s[sb + GS_REFAULTS] += r;
    s[sb + GS_COLD] += f - r;
    s[sb + GS_RESIDENT] += f - e;
    s[sb + GS_EVICTIONS] += e;
    s[sb + GS_DIRECT_RECLAIM] += e;
    s[sb + GS_TLBI] += e * UNMAP_TLBIS;
    const lone = this.lone;
    if (lone !== null) {
      lone.countReads(f, this.mapHold);
      lone.countReads(this.retriesN, this.g.costs[C_LOCK_ACQUIRE]);
      lone.countWrites(e, this.unmapHold);
      lone.countWrites(e, this.invalidateEndHold);
    }
    this.faultsN = 0;
    this.retriesN = 0;
    this.refaultsN = 0;
    this.evictsN = 0;
  }

  /**
   * translate() of gfn outside a debug arena, through the walk caches: a mapped gfn's leaf is at
   * leafOf[gfn] (the word the walk would return: leafOf's contract), an unmapped one's level-3 entry
   * in the table l3Of knows; else the full walk (stage2GetLeaf), which fills l3Of. On a miss, where
   * the walk stopped is kept for the fault's map (walk once: mapLeafAt).
   */
  private translateCached(gfn: number, write: boolean): number {
    const leaf = this.leafOf[gfn];
    if (leaf >= 0) {
      const r = translateLeaf(this.g.pgt.views, leaf, write, this.hafdbs);
      if ((r & TX_MISS) !== 0) this.missWord = -1; // not for leafOf's contract; mapPage then
      return r;
    }
    const unlinks = stage2Unlinks();
    this.missUnlinks = unlinks;
    const region = gfn >>> 9;
    const base = this.l3Of[region];
    if (base > 0 && this.l3At[region] === unlinks) {
      // The level-3 entry of an unmapped gfn (leafOf < 0): invalid, as the walk would find it.
      this.missWord = base - 1 + ((gfn & 511) << 1);
      return TX_MISS;
    }
    const x = translate(this.g.pgt, gfn, write, this.hafdbs);
    if ((x & TX_MISS) !== 0 && getLeafMiss[1] === 3) {
      const w = getLeafMiss[0];
      this.missWord = w;
      this.l3Of[region] = w - ((gfn & 511) << 1) + 1;
      this.l3At[region] = unlinks;
    } else this.missWord = -1;
    return x;
  }

  /**
   * Guest.fault of a demand-only guest on one worker (reserve 0, no deferred min watermark), at the
   * time in `at` (resume: go on with the fault suspended there). FAULTED_NO_FRAME when no frame can be
   * had; FAULTED_SUSPENDED when its direct reclaim stopped between two folios at or past limit (the
   * time in `at`); else FAULTED with the finish time in `at` (times travel in fields, not arguments
   * and return values: a double passed to or returned from a call that is not inlined is a heap
   * number, an allocation each).
   */
  private fault(gfn: number, write: boolean, resume: boolean, limit: number): number {
    const g = this.g;
    const s = g.stats;
    const sb = g.sb;
    const c = g.costs;
    let t = this.at;
    let now = t + c[C_S2_FAULT];
    let reclaimNs = 0;
    if (resume) {
      now = t;
      t = this.susT0;
      reclaimNs = this.susReclaimNs;
    }
    // Direct reclaim of the host node, one page at a time (demand-only), as Guest.fault does: here
    // Pgdat.directReclaimStep(now) of the node's one lruvec (shrink_node, one folio a step) is taken
    // apart, the policy picks the victim with the node as its Reclaimer and evictOne runs below. One
    // vCPU and nothing else running: Guest.fault would never suspend between steps.
    const host = g.host;
    // Whether this fault's reclaim invalidated a page of the VM (evictOne below; it is always the loop's
    // last step, as the eviction frees the frame the next tryTake takes, so never before a suspension).
    let invalidated = false;
    while (!host.tryTake(0)) {
      const pg = g.pgdat;
      pg.beginDirectReclaim(now);
      const id = g.lruvec.pickVictim(pg, true);
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
        // As Guest.fault: a resumed fault's clock already moved on, waiting for a frame.
        s[sb + GS_STALL_NS] += this.at - t;
        s[sb + GS_PRESSURE_NS] += this.at - t;
        return FAULTED_NO_FRAME;
      }
      this.at = pg.t;
      this.evictOne(id - g.idBase);
      invalidated = true;
      pg.t = this.at;
      pg.lastEvicted = 1;
      reclaimNs += this.at - now;
      now = this.at;
      // GS_DIRECT_RECLAIM += 1: one per evictOne, counted there (evictsN, flush).
    }
    const flags = g.flags;
    const f = flags[gfn];
    const refault = (f & PG_SWAPPED) !== 0;
    if (refault) {
      now += g.swapInNs;
      this.refaultsN++; // GS_REFAULTS (flush; GS_COLD is the other faults)
      const evictedAt = g.evictedAt[gfn];
      if (t - evictedAt <= this.windowNs) {
        s[sb + GS_REFAULTS_IN_WINDOW]++;
        const b = Math.floor(evictedAt / this.bucketNs); // Guest.bucketOf
        g.evictBuckets[this.buckets + (b < this.buckets ? b : this.buckets - 1)]++;
      }
    }
    if (invalidated) {
      // Guest.mapLocked's mmu_invalidate_retry: the eviction above ran after user_mem_abort read mmu_seq,
      // so the check under read_lock fails (kvm_mmu_invalidate_end moved mmu_invalidate_seq): a hold of
      // the lock's acquire and release, back to the guest, and the same stage-2 fault again (Guest.refaultNs:
      // the trap, afFault, and the fast path, FAULTIN_FAST_NS), with the page in memory now and nothing else
      // running to invalidate during it.
      g.mmuInvalidate.retries++;
      const check = c[C_LOCK_ACQUIRE];
      this.reqT = now;
      this.reqHold = check;
      this.lockHold(false);
      this.retriesN++; // the lone lock's histogram: a read hold of `check` (flush)
      const next = this.grantAt + check + c[C_AF_FAULT] + FAULTIN_FAST_NS;
      reclaimNs += next - now;
      now = next;
    }
    // The map's read hold; a lone lock's histogram counts are added at flush (faultsN reads of mapHold).
    const hold = this.mapHold;
    this.reqT = now;
    this.reqHold = hold;
    this.lockHold(false);
    const lockWait = this.grantAt - now;
    now = this.grantAt + hold;
    const lo = write ? this.attrLoW : this.attrLo;
    const hi = write ? this.attrHiW : this.attrHi;
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
    s[sb + GS_STALL_NS] += now - t;
    s[sb + GS_PRESSURE_NS] += refault ? now - t : reclaimNs + lockWait;
    g.lruvec.onMap(g.idBase + gfn);
    this.at = now;
    return FAULTED;
  }

  /** A request of kvm->mmu_lock, in fields (a double passed to a call that is not inlined is a heap number). */
  private reqT = DOUBLE_ZERO;
  private reqHold = DOUBLE_ZERO;
  /** The granted hold's start (lockHold). */
  private grantAt = DOUBLE_ZERO;

  /**
   * kvm->mmu_lock for write or read at reqT for reqHold: the lone lock (granted at once; its histogram
   * counted at flush from faultsN / evictsN / retriesN) or the virtual lock with its waits counted; the
   * hold is counted, its start left in grantAt.
   */
  private lockHold(write: boolean): void {
    const lone = this.lone;
    if (lone === null) {
      this.vlockHold(write);
      return;
    }
    const t = this.reqT;
    const hold = this.reqHold;
    lone.reqT = t;
    lone.reqHold = hold;
    lone.grantOnly();
    this.grantAt = t;
    const g = this.g;
    g.stats[g.sb + GS_LOCK_HOLD_NS] += hold;
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
  private evictOne(gfn: number): void {
    const t = this.at;
    const g = this.g;
    const hold = this.unmapHold;
    this.reqT = t;
    this.reqHold = hold;
    this.lockHold(true);
    const start = this.grantAt;
    if (stage2FastPaths()) {
      const w = this.leafOf[gfn];
      if (w < 0 || !unmapLeafAt(g.pgt, w, gfn)) unmapPage(g.pgt, gfn);
    } else stage2Unmap(g.pgt, gfn * PAGE, PAGE);
    this.leafOf[gfn] = -1;
    const unmapEnd = start + hold;
    // try_to_unmap_one's flush of the VMM's PTE (hostUnmapFlushNs), then
    // kvm_mmu_notifier_invalidate_range_end's write hold (Guest.invalidateEnd).
    const endHold = this.invalidateEndHold;
    this.reqT = unmapEnd + this.hostUnmapFlush;
    this.reqHold = endHold;
    this.lockHold(true);
    const end = this.grantAt + endHold;
    g.tlbFlush.flushStage1(); // as Guest.evictOne: every vCPU of this VM re-walks its stage-1 next
    const flags = g.flags;
    flags[gfn] = (flags[gfn] & ~(PG_RESIDENT | PG_HOST_YOUNG)) | PG_SWAPPED;
    g.evictedAt[gfn] = unmapEnd;
    const b = Math.floor(unmapEnd / this.bucketNs); // Guest.bucketOf
    g.evictBuckets[b < this.buckets ? b : this.buckets - 1]++;
    // GS_TLBI += UNMAP_TLBIS, GS_RESIDENT--, GS_EVICTIONS++ and the caller's GS_DIRECT_RECLAIM++ (flush).
    this.evictsN++;
    g.host.put(1);
    this.at = end + g.swapOutNs;
  }

  /**
   * stage2Map of gfn (mapPage, shared, retried on EAGAIN), at the entry this access's walk found
   * (mapLeafAt) when no table was unlinked since; records the leaf's word in leafOf.
   */
  private map(gfn: number, lo: number, hi: number): number {
    const pgt = this.g.pgt;
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

/** fault's map failed after its retries (out of line: the message's bytecode counted against fault's inlining). */
function mapFailed(guest: number, gfn: number, r: number): never {
  throw new Error(`stage-2 map of guest ${guest} gfn ${gfn} failed (${r}): table arena exhausted`);
}
