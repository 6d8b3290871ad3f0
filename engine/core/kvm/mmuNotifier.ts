/**
 * The KVM side of the mmu notifiers reclaim calls to age one VM's stage-2 (virt/kvm/kvm_main.c,
 * arch/arm64/kvm/mmu.c), in the configured harvest mode (DESIGN.md "Harvest modes"). Host reclaim
 * (engine/core/mm/pgdat.ts) reaches a VM only through this class:
 *
 *   folioReferenced(gfn)  folio_referenced -> folio_referenced_one -> ptep_clear_flush_young_notify
 *                         (or ptep_clear_young_notify with reclaim.rmapFlushYoung = false) ->
 *                         kvm_mmu_notifier_clear_flush_young / clear_young -> kvm_handle_hva_range,
 *                         which takes KVM_MMU_LOCK (write_lock on arm64) around kvm_age_gfn for the one
 *                         folio, and with the flush variant kvm_flush_remote_tlbs when it was young.
 *   lookAroundBatch(...)  the seed's fast path, kvm_arch_test_clear_young over up to 64 gfns with the
 *                         bitmap, lockless under RCU (used by lru_gen_look_around and walk_pte_range).
 *   walkBatch(...)        MGLRU's page-table walk (walk_pte_range) over one 64-gfn window of the VMM's
 *                         mapping of guest memory: with the fast path it harvests the stage-2 through
 *                         kvm_arch_test_clear_young; without it the walk reads only the host (primary)
 *                         PTEs, which the guest's accesses never make young: only the fault that
 *                         installed one did (mm/hostPte.ts; Pgdat.walk tests those in every mode).
 *
 * Modes (what KVM implements):
 *   lockless      the seed series: the fast path exists when kvm_arch_has_test_clear_young()
 *                 (cpu_has_hw_af() && !is_protected_kvm_enabled(); or the reviewer's what-if
 *                 allowLocklessWithoutHafdbs). In v1, clear_flush_young kept its write lock; with
 *                 rmapFlushYoung = false (v2) the rmap's clear_young goes through the fast path too.
 *   locked-write  mainline/baseline: every notifier age call under kvm->mmu_lock for write.
 *   locked-read   what-if (a dropped 2024 series): under the lock for read.
 *   hypercall     pKVM, non-protected guest: one HVC per mapping (__pkvm_host_test_clear_young_guest)
 *                 under kvm->mmu_lock for write: mainline 6.14+ kvm_age_gfn -> KVM_PGT_S2(test_clear_young)
 *                 -> pkvm_pgtable_stage2_test_clear_young (arch/arm64/kvm/pkvm.c), mappings page-sized
 *                 under pKVM (force_pte) until 6.16; the HVC clears AF at EL2 with no TLBI, the flush is
 *                 clear_flush_young's __pkvm_tlb_flush_vmid, a second HVC (docs/profile-pkvm.md). Android
 *                 common kernels 6.1/6.6 have no such path: they pin guest memory and kvm_age_gfn returns
 *                 false under pKVM.
 *   none          no accessed information (protected guests are pinned and never aged anyway).
 *
 * Time: the caller sets `t` (its virtual clock), calls one method, and reads `t` back. Costs come from
 * the hardware profile; counters go to the guest's stats. `kswapd` says whether the caller is kswapd
 * (its write-lock wait is counted apart: the seed's kswapd profile).
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { assertNever, type HarvestMode } from '../../protocol.ts';
import { readLock, readUnlock, writeLock, writeUnlock } from './mmuLock.ts';
import { rcuReadLock, rcuReadUnlock } from '../sync/rcu.ts';
import {
  newTestClearYoungStats,
  testClearYoung,
  testClearYoungLeaf,
  testClearYoungOne,
} from '../arch/testClearYoung.ts';
import {
  C_CMPXCHG,
  C_HYPERCALL,
  C_LOCK_ACQUIRE,
  C_MEM_ACCESS,
  C_PTE_SCAN,
  C_TLB_INVALIDATE,
  C_WALK_LEVEL,
} from '../sim/costs.ts';
import type { LoneLock } from '../sim/replayLock.ts';
import type { Guest } from '../sim/guest.ts';
import { extendHold } from '../arch/dvm.ts';
import { el2Section, extendMmuHold } from './hypLock.ts';
import {
  GS_AGING_NS,
  GS_CMPXCHG_FAIL,
  GS_DVM_HOLD_WAIT_NS,
  GS_DVM_WAIT_NS,
  GS_FOLIOS_CONSIDERED,
  GS_HYPERCALLS,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_NS,
  GS_PTES_SCANNED,
  GS_TLBI,
  GS_YOUNG_FOUND,
  PG_RESIDENT,
} from '../sim/simLayout.ts';

const M_LOCKLESS = 0;
const M_LOCKED_WRITE = 1;
const M_LOCKED_READ = 2;
const M_HYPERCALL = 3;
const M_NONE = 4;

function modeCode(m: HarvestMode): number {
  switch (m) {
    case 'lockless':
      return M_LOCKLESS;
    case 'locked-write':
      return M_LOCKED_WRITE;
    case 'locked-read':
      return M_LOCKED_READ;
    case 'hypercall':
      return M_HYPERCALL;
    case 'none':
      return M_NONE;
    default:
      return assertNever(m, 'harvest mode');
  }
}

export interface HarvestOptions {
  mode: HarvestMode;
  /** kvm_arch_has_test_clear_young(): hardware AF (or the what-if) and not pKVM. */
  fastPathAllowed: boolean;
  /** should_walk_mmu(): arch_has_hw_pte_young() (FEAT_HAFDBS on arm64). */
  walkMmu: boolean;
  /** folio_referenced_one calls clear_flush_young (true) or clear_young (false). */
  rmapFlushYoung: boolean;
}

export class Harvester {
  /** The calling actor's virtual clock (ns); a double from the start (DOUBLE_ZERO, core/ownShape.ts). */
  t = DOUBLE_ZERO;
  /** Whether the caller is kswapd (its write-lock wait is counted apart). */
  kswapd = false;
  /** Young pages found by the last batch, bit i = gfn start + i (two words). */
  readonly young = new Uint32Array(2);
  /** The seed's lockless test_clear_young fast path is available on this VM. */
  readonly fastPath: boolean;
  /** MGLRU may walk page tables (should_walk_mmu). */
  readonly walkMmu: boolean;
  private readonly mode: number;
  /**
   * The mode's tests on every folio_referenced call, decided once: mode === M_NONE, mode === M_HYPERCALL, and
   * folioReferenced's begin() kind. The M_* codes are module constants of a module that imports, which the
   * bundler does not inline (mm/policy/mglruConsts.ts says why): a context load, a Smi check and an untag per
   * use on the trace replay's reclaim path, where these fields are one load each.
   */
  private readonly noInfo: boolean;
  private readonly hypercall: boolean;
  private readonly rmapKind: number;
  private readonly flushYoung: boolean;
  /** The rmap notifier (clear_young / clear_flush_young) takes the fast path (v2 with the seed). */
  private readonly rmapLockless: boolean;
  private readonly bitmap = new Uint32Array(2);
  /**
   * What a lone lookup of one folio's stage-2 leaf costs over the streaming pteScan: the walk's descent
   * from the root (kvm_pgtable_walk -> __kvm_pgtable_walk, one level per table: walkLevel each, as the
   * vCPU's walk) and the leaf descriptor's line as a demand miss (memAccess) instead of one streamed
   * descriptor (pteScan assumes 8 descriptors per line with prefetch: a sequential scan). Charged to the
   * batches that start at a folio the LRU picked, whose leaf nothing touched recently on this CPU:
   * kvm_age_gfn for one folio (folio_referenced's notifier) and lru_gen_look_around's batch; not to the
   * MGLRU walk's consecutive windows (walk_pte_range streams through a leaf table).
   */
  private readonly lookupNs: number;
  /**
   * The lookup when the folio's leaf descriptor shares its 64-byte line (8 descriptors, gfn >> 3) with
   * the last one this harvester looked up or streamed: the descent only (walkLevel x levels), the
   * line still in the reclaimer's cache. Estimate with reasoning: reclaim meets folios in LRU order, which
   * after a sequential sweep (max_guest_memory_test) is address order, so 7 of 8 consecutive lookups hit
   * the line the previous one loaded (and cleared AF in, so it is held modified); a vCPU that set AF in
   * that line in between would move it away (not modelled: between two lookups ~0.2-2 us apart). After
   * random accesses (memcached) consecutive folios rarely share a line and every lookup misses.
   */
  private readonly descentNs: number;
  /** Leaf line (gfn >> 3) of the last lookup or batch, -1: none. */
  private lastLeafLine = -1;
  private readonly tcy = newTestClearYoungStats();
  /** Virtual clock at begin (the work since then is the hold's length). */
  private holdStart = DOUBLE_ZERO;
  /** The hold's length for endVlock (a field: a double passed to a call that is not inlined is a heap number). */
  private holdNs = DOUBLE_ZERO;
  /**
   * The service time of the broadcast (__kvm_tlb_flush_vmid) that ends the current hold, for end() to book
   * on the host's DVM Sync (arch/dvm.ts); 0 when the hold has none.
   */
  private dvmNs = DOUBLE_ZERO;
  /**
   * pKVM: the EL2 critical section of the hold's __pkvm_host_test_clear_young_guest under the VM's
   * guest_lock_component (kvm/hypLock.ts): its offset from the hold's work start and its length; 0: none.
   */
  private el2Off = DOUBLE_ZERO;
  private el2Ns = DOUBLE_ZERO;
  private lockKind = 0; // 0 none (RCU), 1 write, 2 read
  /**
   * Set by the trace-replay fast path (sim/replay.ts: one worker, one agent on the arena): the real
   * rwlock would exclude nobody, so begin/end do not take it, as the replay's own map and unmap do
   * not. The virtual lock still charges every hold (end), and RCU is still entered: its read-side
   * sections decide when unlinked tables are freed.
   */
  loneAgent = false;
  /**
   * Set by the trace-replay fast path with loneAgent (outside a debug arena): the Int32 word of each
   * mapped gfn's level-3 leaf, -1 when unmapped (TraceReplay keeps it; the contract of
   * testClearYoungLeaf). A one-folio batch then visits that leaf without descending from the root.
   */
  leafOf: Int32Array | null = null;
  /**
   * Set by the trace-replay fast path with loneAgent: the virtual MMU lock without its calendar
   * (sim/replayLock.ts says why a lone replay may skip it), shared with the replay's own requests.
   */
  loneLock: LoneLock | null = null;

  constructor(
    private readonly g: Guest,
    o: HarvestOptions,
  ) {
    this.mode = modeCode(o.mode);
    this.fastPath = this.mode === M_LOCKLESS && o.fastPathAllowed;
    this.walkMmu = o.walkMmu;
    this.flushYoung = o.rmapFlushYoung;
    this.rmapLockless = this.fastPath && !o.rmapFlushYoung;
    this.noInfo = this.mode === M_NONE;
    this.hypercall = this.mode === M_HYPERCALL;
    this.rmapKind = this.rmapLockless ? 0 : this.mode === M_LOCKED_READ ? 2 : 1;
    const c = g.costs;
    this.descentNs = (4 - g.pgt.startLevel) * c[C_WALK_LEVEL];
    this.lookupNs = this.descentNs + c[C_MEM_ACCESS] - c[C_PTE_SCAN];
  }

  /** True when this mode gives accessed information at all. */
  get informative(): boolean {
    return this.mode !== M_NONE;
  }

  /**
   * folio_referenced for one folio mapped by this VM, through the mmu notifier (see the file
   * comment). Returns whether the stage-2 PTE was young (and clears AF).
   */
  folioReferenced(gfn: number): boolean {
    const g = this.g;
    g.stats[g.sb + GS_FOLIOS_CONSIDERED]++;
    if (this.noInfo === true) return false;
    const t0 = this.t;
    this.begin(this.rmapKind);
    this.batch(gfn, 1, true); // kvm_age_gfn (or the fast path) on the one page
    const young = (this.young[0] & 1) !== 0;
    if (young && this.flushYoung === true && this.rmapLockless === false) {
      // kvm_handle_hva_range(.flush_on_ret) -> kvm_flush_remote_tlbs, still inside KVM_MMU_LOCK (before
      // end()), so its cost lengthens the write hold. arm64: __kvm_tlb_flush_vmid, TLBI VMALLS12E1IS +
      // DSB ISH (tlbFlushVmid); x86: IPIs to the vCPUs in guest mode and the wait for their exits
      // (kvm/remoteTlbFlush.ts). Every vCPU of this VM, and no other VM's, loses its cached
      // translations and refills with a full two-dimensional walk (arch/tlb.ts). The running set is
      // read at the time the hold was asked for (holdStart).
      const ns = g.flushRemoteTlbs(this.holdStart, this.kswapd);
      this.t += ns;
      // arm64: the flush is the hold's last work; end() queues its DSB on the host's DVM Sync once the
      // hold's grant is known (arch/dvm.ts). Under pKVM the flush is an HVC (kvm_call_hyp_nvhe(
      // __pkvm_tlb_flush_vmid)) whose round trip is the flusher's own time: only the TLBI + DSB ISH it
      // runs at EL2 occupies the DVM Sync (Guest.flushHvcNs, sim/costs.ts flushHvcNs).
      if (g.dvm !== null) this.dvmNs = ns - g.flushHvcNs;
    }
    this.end();
    g.stats[g.sb + GS_AGING_NS] += this.t - t0;
    return young;
  }

  /**
   * kvm_arch_test_clear_young on gfns [start, start + count), count <= 64, lockless under RCU (the
   * seed's fast path; callers check `fastPath`). Afterwards `young` holds the pages that were young.
   */
  lookAroundBatch(start: number, count: number, lookup = true): void {
    const t0 = this.t;
    this.begin(0);
    this.batch(start, count, lookup);
    this.end();
    this.g.stats[this.g.sb + GS_AGING_NS] += this.t - t0;
  }

  /**
   * walk_pte_range over one window of guest memory: with the fast path, the stage-2 is harvested
   * (lookAroundBatch); without it only the primary PTEs are read (cost, nothing young here: the guest's
   * accesses set the stage-2 AF, not the VMM's host PTEs; the young bit a fault left on a host PTE is
   * the caller's, mm/hostPte.ts via Pgdat.walk). Callers check `walkMmu` first.
   */
  walkBatch(start: number, count: number): void {
    if (this.fastPath) {
      this.lookAroundBatch(start, count, false);
      return;
    }
    const g = this.g;
    let resident = 0;
    for (let i = 0; i < count; i++) if ((g.flags[start + i] & PG_RESIDENT) !== 0) resident++;
    this.young[0] = 0;
    this.young[1] = 0;
    const ns = resident * g.costs[C_PTE_SCAN];
    this.t += ns;
    g.stats[g.sb + GS_AGING_NS] += ns;
  }

  /** Enter the mode's protection for the real table access: 0 RCU read-side, 1 write lock, 2 read lock. */
  private begin(kind: number): void {
    const g = this.g;
    this.lockKind = kind;
    this.holdStart = this.t;
    if (kind === 0) rcuReadLock(g.rcu);
    else if (this.loneAgent === true)
      return; // `=== true`: a full ToBoolean otherwise (sim/replay.ts)
    else if (kind === 1) writeLock(g.lock);
    else readLock(g.lock);
  }

  /**
   * Leave it, and place the work done since begin (this.t - holdStart of virtual time) on the VM's
   * virtual lock: granted at or after the caller's clock, held for lockAcquire + the work.
   */
  private end(): void {
    const g = this.g;
    const kind = this.lockKind;
    if (kind === 0) {
      this.dvmNs = 0;
      this.el2Ns = 0;
      rcuReadUnlock(g.rcu);
      return;
    }
    if (this.loneAgent === false) {
      if (kind === 1) writeUnlock(g.lock);
      else readUnlock(g.lock);
    }
    const t = this.holdStart;
    const hold = g.costs[C_LOCK_ACQUIRE] + (this.t - t);
    const lone = this.loneLock;
    if (lone !== null) {
      // The trace replay's lock without the calendar (sim/replayLock.ts): granted at t, so the wait
      // counters' += 0 are left out. Not booked by the trace replay's lone agent: dvmNs (its broadcasts
      // are sequential: arch/dvm.ts).
      this.dvmNs = 0;
      this.el2Ns = 0;
      lone.reqT = t;
      lone.reqHold = hold;
      if (kind === 1) lone.write();
      else lone.read();
      g.stats[g.sb + GS_LOCK_HOLD_NS] += hold;
      this.t = t + hold;
      return;
    }
    this.holdNs = hold;
    this.endVlock();
  }

  /**
   * end() on the virtual lock (every run but the trace replay's lone agent), apart from end so that the
   * lone path stays small enough to inline into folioReferenced (session 14 (a)): the hold of holdNs
   * from holdStart.
   */
  private endVlock(): void {
    const g = this.g;
    const t = this.holdStart;
    const hold = this.holdNs;
    const dvmNs = this.dvmNs;
    this.dvmNs = 0;
    const el2Ns = this.el2Ns;
    this.el2Ns = 0;
    // vlock.write / read(t, hold, true) with the request and the grant in fields: a double passed to or
    // returned from a call that is not inlined is a heap number (an allocation per aged folio).
    const vlock = g.vlock;
    vlock.reqT = t;
    vlock.reqHold = hold;
    if (this.lockKind === 1) vlock.writeReq(true);
    else vlock.readReq();
    const granted = vlock.grant;
    const wait = granted - t;
    g.stats[g.sb + GS_LOCK_WAIT_NS] += wait;
    if (this.lockKind === 1 && this.kswapd) g.stats[g.sb + GS_KSWAPD_WRITE_WAIT_NS] += wait;
    g.stats[g.sb + GS_LOCK_HOLD_NS] += hold;
    this.t = granted + hold;
    const guest = g.hypGuestLock;
    if (el2Ns > 0 && guest !== null) {
      // pKVM: the test's EL2 section under guest_lock_component. Nested in this VM's write hold, as every
      // other taker of it in the lab is, so it does not wait; a wait would lengthen the hold (before the
      // flush, which then issues later).
      const wait = el2Section(null, guest, granted + g.costs[C_LOCK_ACQUIRE] + this.el2Off, el2Ns);
      if (wait > 0) {
        g.stats[g.sb + GS_LOCK_HOLD_NS] += wait;
        this.t = extendMmuHold(vlock, guest, this.t, wait, true);
      }
    }
    const ns = dvmNs;
    if (ns > 0 && g.dvm !== null) {
      // __kvm_tlb_flush_vmid's TLBI VMALLS12E1IS + DSB ISH, issued at the end of the hold's other work,
      // queues behind the broadcasts in flight; the flusher spins in the DSB holding the lock (for write;
      // for read in the locked-read what-if).
      const issue = this.t - ns;
      const dvmWait = g.dvm.broadcast(issue, ns) - this.t;
      if (dvmWait > 0) {
        g.stats[g.sb + GS_DVM_WAIT_NS] += dvmWait;
        g.stats[g.sb + GS_DVM_HOLD_WAIT_NS] += dvmWait;
        g.stats[g.sb + GS_LOCK_HOLD_NS] += dvmWait;
        this.t = extendHold(vlock, g.dvm, this.t, dvmWait, this.lockKind === 1, true);
      }
    }
  }

  /**
   * Test and clear AF of gfns [start, start + count), count <= 64, inside begin/end. `lookup`: the batch
   * starts with a lone lookup of a folio's leaf (lookupNs), not inside a streaming walk.
   */
  private batch(start: number, count: number, lookup: boolean): void {
    const y = this.young;
    y[0] = 0;
    y[1] = 0;
    if (this.noInfo === true) return;
    const leafOf = this.leafOf;
    if (count === 1 && leafOf !== null && this.hypercall === false) {
      const w = leafOf[start];
      if (w >= 0) {
        this.batchLeaf(start, w, lookup);
        return;
      }
    }
    const g = this.g;
    const b = this.bitmap;
    // Ask for every gfn of the window to be cleared: bit (lsb - gfn) set. Young leaves toggle
    // their bit to 0 (and get AF cleared); old or invalid leaves leave it set.
    const lsb = start + count - 1;
    b[0] = count >= 32 ? 0xffffffff : (1 << count) - 1;
    b[1] = count > 32 ? (count >= 64 ? 0xffffffff : (1 << (count - 32)) - 1) : 0;
    const st = this.tcy;
    st.scanned = 0;
    st.young = 0;
    st.cleared = 0;
    st.casFailures = 0;
    const w = count === 1 && leafOf !== null ? leafOf[start] : -1;
    if (w >= 0) testClearYoungLeaf(g.pgt, w, start, lsb, b, st);
    else testClearYoung(g.pgt, start, start + count, lsb, b, st);
    if (this.hypercall === true) this.hypercalls(start, count);
    else {
      const costs = g.costs;
      this.t += st.scanned * costs[C_PTE_SCAN] + (st.cleared + st.casFailures) * costs[C_CMPXCHG];
      if (lookup === true && st.scanned > 0)
        this.t += start >>> 3 === this.lastLeafLine ? this.descentNs : this.lookupNs;
      if (st.scanned > 0) this.lastLeafLine = (start + count - 1) >>> 3;
    }
    g.stats[g.sb + GS_PTES_SCANNED] += st.scanned;
    g.stats[g.sb + GS_YOUNG_FOUND] += st.cleared;
    g.stats[g.sb + GS_CMPXCHG_FAIL] += st.casFailures;
    if (st.cleared !== 0) this.youngOf(start, count);
  }

  /**
   * batch under pKVM: the host cannot read the hypervisor's table, one hypercall per mapped page
   * (pkvm_pgtable_stage2_test_clear_young: one per pkvm_mapping in the range, page-sized under pKVM).
   * Out of line, as youngOf, so that batch stays small enough to inline (session 14 (a)).
   */
  private hypercalls(start: number, count: number): void {
    const g = this.g;
    let mapped = 0;
    for (let i = 0; i < count; i++) if ((g.flags[start + i] & PG_RESIDENT) !== 0) mapped++;
    const costs = g.costs;
    if (mapped === 1 && count === 1 && g.hypGuestLock !== null) {
      // __pkvm_host_test_clear_young_guest's section under guest_lock_component: the walk to the leaf
      // and, when young, the AF clear, the HVC's last part (carved from it: kvm/hypLock.ts). Recorded
      // for end(), which knows the grant. (Only folio_referenced's one-folio batch runs in this mode.)
      const el2 = Math.min(costs[C_HYPERCALL], g.el2LookupNs + (this.tcy.cleared > 0 ? costs[C_CMPXCHG] : 0));
      this.el2Off = this.t - this.holdStart + costs[C_HYPERCALL] - el2;
      this.el2Ns = el2;
    }
    this.t += mapped * costs[C_HYPERCALL];
    g.stats[g.sb + GS_HYPERCALLS] += mapped;
  }

  /**
   * batch's answer when it cleared AF somewhere: `young` from the bitmap (a cleared bit of a resident
   * page), with the per-page TLBI of flushOnClear when the TLB model is on.
   */
  private youngOf(start: number, count: number): void {
    const g = this.g;
    const y = this.young;
    const b = this.bitmap;
    const lsb = start + count - 1;
    const costs = g.costs;
    const flushOne = g.tlbs !== null && g.flushOnClear;
    for (let i = 0; i < count; i++) {
      const n = lsb - (start + i);
      if ((b[n >>> 5] & (1 << (n & 31))) === 0 && (g.flags[start + i] & PG_RESIDENT) !== 0) {
        y[i >>> 5] |= 1 << (i & 31);
        if (flushOne && g.tlbs !== null) {
          g.tlbs.invalidate(start + i);
          this.t += costs[C_TLB_INVALIDATE];
          g.stats[g.sb + GS_TLBI]++;
        }
      }
    }
  }

  /**
   * batch(start, 1, lookup) when gfn start's leaf is known to be at word `w` (leafOf, the trace replay's walk
   * cache; not under pKVM's hypercall mode): the same visit of that one leaf (testClearYoungOne, the
   * single-gfn testClearYoungLeaf) and the same charges and counters as batch's general path for one scanned
   * leaf, in the same order of floating-point additions: pteScan, a cmpxchg when it was young (cleared or
   * lost), the lookup (descentNs when its line is the last one's), and `young` bit 0 when AF was cleared on
   * a resident page. Apart from batch so that folio_referenced's one-folio notifier call (CLOCK's and MGLRU's
   * eviction in a trace replay, once per folio considered) skips the bitmap's set-up, the walk's argument
   * binding and the stats object: 464 instructions per call in batch (callgrind, MGLRU x10, session 14).
   */
  private batchLeaf(start: number, w: number, lookup: boolean): void {
    const g = this.g;
    const r = testClearYoungOne(g.pgt, w);
    const costs = g.costs;
    this.t += costs[C_PTE_SCAN] + (r !== 0 ? costs[C_CMPXCHG] : 0);
    const line = start >>> 3;
    if (lookup === true) this.t += line === this.lastLeafLine ? this.descentNs : this.lookupNs;
    this.lastLeafLine = line;
    const s = g.stats;
    const sb = g.sb;
    s[sb + GS_PTES_SCANNED] += 1;
    if (r === -1) s[sb + GS_CMPXCHG_FAIL] += 1;
    if (r !== 1) return;
    s[sb + GS_YOUNG_FOUND] += 1;
    if ((g.flags[start] & PG_RESIDENT) === 0) return;
    this.young[0] = 1;
    if (g.tlbs !== null && g.flushOnClear) {
      g.tlbs.invalidate(start);
      this.t += costs[C_TLB_INVALIDATE];
      s[sb + GS_TLBI]++;
    }
  }
}
