/**
 * The trace-replay fast path: a vCPU that replays a trace in a run that needs nothing but its own
 * accesses (one worker, one guest, one vCPU, demand-only reclaim, no TLB model). Such a run is the
 * trace oracle and the libCacheSim comparison: millions of requests, ~70 % of them misses.
 *
 * What it runs, unchanged: the stage-2 code (arch/pgtableAccess.ts stage2GetLeaf on every access,
 * pgtableFast.ts mapPage on a fault, unmapPage on an eviction, empty tables unlinked and handed to callRcu through the
 * guest's MmOps), the AF code (hardware AF by stage2TrySetPte; Guest.afFault / permFault when the
 * hardware has no FEAT_HAFDBS or the page is read-only) and the policy
 * code (the lruvec's Policy: onMap, onAccess, pickVictim with the host node, mm/pgdat.ts, as its
 * Reclaimer, so folio_referenced goes through the mmu notifier as in shrink_node). The virtual time
 * and every counter are charged exactly as VCpu.run + Guest.fault + Pgdat.directReclaimStep +
 * Guest.evictOne do in that configuration (their copies for it: replayFault.ts, replayMmu.ts);
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
 * V8 passes a double to a call it does not inline as a new heap number. Boolean fields are tested
 * `=== true` on the hot path: V8 does not know a field holds a boolean (true, false, null and
 * undefined share one map), so `if (this.flag)` compiles to a full ToBoolean (false, '', undetectable,
 * heap number and BigInt checks, ~11 instructions) where `=== true` is one compare.
 *
 * Selection: replaySelect.ts (replayEligible, selectReplay), called by the runner after it builds
 * the worker's actors.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { getLeafMiss, stage2Unlinks } from '../arch/pgtable.ts';
import { refillKind } from '../arch/tlb.ts';
import type { ArenaViews } from '../layout.ts';
import type { StopCheck } from './actor.ts';
import { ReplayFaults } from './replayFault.ts';
import { FAULTED_NO_FRAME, FAULTED_SUSPENDED, FRAME_RETRY_NS, STOP_EVERY } from './faultConsts.ts';
import { GS_LOCK_HOLD_NS } from './simLayout.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { translate, translateLeaf, TX_AF_FAULT, TX_CAS_FAIL, TX_HW_AF, TX_MISS, TX_PERM, type VCpu } from './vcpu.ts';

export class TraceReplay extends ReplayFaults {
  /** Exact LRU: the policy sees every access (Guest.policy.seesEveryAccess). */
  private readonly seesAll: boolean;
  private readonly trace: Uint32Array;
  private readonly traceLength: number;
  private readonly writes: boolean;
  private readonly thinkNs: number = DOUBLE_ZERO; // a double field (vcpuStat.ts walkNs says why)
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
  /** The guest's arena views (Pgt.views, readonly). */
  private readonly views: ArenaViews;
  /**
   * VCpu.refill's bookkeeping for this lone vCPU (VmTlbFlush.refill with no TLB model): the VM's flush
   * generations (VmTlbFlush.generations, read only) and the ones this vCPU last translated under, in
   * fields rather than VmTlbFlush's per-vCPU arrays (through this.g.tlbFlush it cost ~100 instructions
   * a request, callgrind, session 16 (d)); written back to VmTlbFlush at every flush (markSeen).
   */
  private readonly tlbGens: Int32Array;
  private seenGen: number;
  private seenS1: number;

  constructor(v: VCpu, config: ScenarioConfig) {
    super(v, config);
    this.seesAll = v.g.lruvec.seesEveryAccess;
    const trace = v.wl.trace as Uint32Array; // not null: ReplayFaults checked it
    this.trace = trace;
    this.traceLength = trace.length;
    this.writes = v.wl.writeFraction > 0;
    this.thinkNs = v.wl.thinkNs;
    this.l3Of = new Int32Array(Math.ceil(v.g.pages / 512) + 1);
    this.l3At = new Int32Array(this.l3Of.length);
    this.views = v.g.pgt.views;
    this.tlbGens = this.tlbFlush.generations();
    const [gen, s1gen] = this.tlbFlush.seenBy(v.vi);
    this.seenGen = gen;
    this.seenS1 = s1gen;
  }

  /** VCpu.flush, with this vCPU's flush generations handed back to VmTlbFlush (seenGen). */
  override flush(): void {
    this.tlbFlush.markSeen(this.vi, this.seenGen, this.seenS1);
    super.flush();
  }

  /**
   * VCpu.run for this configuration: the same accesses, costs and counters. Alone on its worker (every
   * eligible run) the scheduler calls runAlone instead; run is the general scheduler's entry, for
   * pieces of at most STOP_CHECK_NS of virtual time (scheduler.ts), about one request when they miss.
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
    // GS_LOCK_HOLD_NS lives in the lone lock's field while the loop runs (LoneLock.openHoldSum).
    const lone = this.lone;
    if (lone !== null) lone.openHoldSum(this.gs, GS_LOCK_HOLD_NS);
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
          if (lone !== null) lone.closeHoldSum(this.gs, GS_LOCK_HOLD_NS);
          this.finish(t);
          return;
        }
        wl.cursor = i + wl.stride;
        gfn = this.trace[i];
        if (this.writes === true) write = wl.isWrite();
      } else {
        write = this.pendingWrite;
        this.pendingGfn = -1;
      }
      // As VCpu.run: a fault suspended in direct reclaim goes on where it stopped (no re-walk).
      const resume = this.resumeFault;
      this.resumeFault = false;
      let x = TX_MISS;
      if (resume === false) {
        // VCpu.refill (as VCpu.run): a flush since the last translation (VmTlbFlush.refill, no TLB model
        // to drop: ReplayMmu checks). Branch-free on the kind, as refill: the stage-1 kind first comes at
        // the first eviction, after this loop is compiled.
        const gens = this.tlbGens;
        const gen = gens[0];
        const s1gen = gens[1];
        const r = refillKind(gen, this.seenGen, s1gen, this.seenS1);
        this.seenGen = gen;
        this.seenS1 = s1gen;
        this.refillsBy[r]++;
        t += this.refillNsBy[r];
        t += this.walkNs;
        x = this.debugArena === true ? translate(this.pgt, gfn, write, this.hafdbs) : this.translateCached(gfn, write);
      }
      if ((x & TX_MISS) === 0) {
        if ((x & TX_HW_AF) !== 0) {
          if ((x & TX_CAS_FAIL) !== 0) this.casFail++;
          this.hwAf++;
          t += this.hwAfNs;
        } else if ((x & TX_AF_FAULT) !== 0) {
          t = this.afFault(gfn, t, false);
        }
        if ((x & TX_PERM) !== 0) t = this.afFault(gfn, t, true);
        this.hits++;
        if (this.seesAll === true) this.lruvec.onAccess(this.idBase + gfn); // Guest.onAccess
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
          t = this.at + FRAME_RETRY_NS; // as VCpu.run: after the fault gave up (this.at)
          this.retryStall += FRAME_RETRY_NS;
          this.retryWalkNs += this.walkNs;
          continue;
        }
        t = this.at + this.memNs;
      }
      this.accesses++;
      t += this.thinkNs;
    } while (t < limit);
    if (lone !== null) lone.closeHoldSum(this.gs, GS_LOCK_HOLD_NS);
    this.clock = t;
  }

  /**
   * Guest.afFault (perm false) or Guest.permFault: the general path's handlers, which add their holds to
   * GS_LOCK_HOLD_NS in the counters, so the lone lock's running sum is written back around them.
   */
  private afFault(gfn: number, t: number, perm: boolean): number {
    const lone = this.lone;
    if (lone !== null) lone.closeHoldSum(this.gs, GS_LOCK_HOLD_NS);
    const end = perm ? this.g.permFault(gfn, t) : this.g.afFault(gfn, t);
    if (lone !== null) lone.openHoldSum(this.gs, GS_LOCK_HOLD_NS);
    return end;
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
      // The arena's views from a field of the replay, not this.g.pgt.views: see ReplayMmu.gs.
      const r = translateLeaf(this.views, leaf, write, this.hafdbs);
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
    const x = translate(this.pgt, gfn, write, this.hafdbs);
    if ((x & TX_MISS) !== 0 && getLeafMiss[1] === 3) {
      const w = getLeafMiss[0];
      this.missWord = w;
      this.l3Of[region] = w - ((gfn & 511) << 1) + 1;
      this.l3At[region] = unlinks;
    } else this.missWord = -1;
    return x;
  }
}
