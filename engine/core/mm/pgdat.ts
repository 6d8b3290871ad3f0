/**
 * The host's memory node as reclaim sees it (struct pglist_data, mm/vmscan.c): the guests whose
 * anonymous memory it holds (each guest = one VMM process, its memory on the host LRU), their
 * lruvec(s), and the reclaim entry points:
 *
 * - shrinkNode(t, nr, byVcpu): shrink_node -> shrink_node_memcgs -> shrink_lruvec / lru_gen_shrink_node,
 *   evicting up to nr pages: from the one host lruvec (reclaim.lruvec 'host', default: victims chosen
 *   across guests by one LRU), or from the per-guest memcgs in proportion to their sizes
 *   (get_scan_count's proportional scan, 'memcg'). kswapd (mm/kswapd.ts) and direct reclaim in the
 *   faulting vCPU's context (Guest.fault, __alloc_pages_direct_reclaim) both come here.
 * - referenced(id): folio_referenced -> rmap walk to the one VMA mapping the page -> the owning VM's
 *   mmu notifier (kvm/mmuNotifier.ts). With MGLRU and the seed's fast path this is lru_gen_look_around:
 *   up to MIN_LRU_BATCH (64) pages around the folio, clipped to its PMD (512 pages), in one lockless
 *   kvm_arch_test_clear_young batch; young neighbours are promoted too.
 * - walk(start, end): MGLRU's walk_mm over each VM's range (walk_pte_range in 64-page windows).
 *
 * Page ids: guest g's page gfn is id base[g] + gfn, over the guests this worker owns. The lists live
 * in worker-local memory (only this worker's reclaim touches them), except in a spread run, where every
 * worker holds the node over every guest on one lruvec in shared memory, each policy call under lru_lock
 * (mm/sharedLru.ts). Otherwise with the host lruvec every guest is on one worker (plan.ts).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { DList } from '../sim/dlist.ts';
import type { Guest } from '../sim/guest.ts';
import { ActiveInactive } from './policy/activeInactive.ts';
import { AgingGate } from './policy/agingGate.ts';
import { Clock } from './policy/clock.ts';
import { ExactLru } from './policy/exactLru.ts';
import { Mglru } from './policy/mglru.ts';
import { SCAN_AGAIN, type Policy, type Promoter, type Reclaimer } from './policy/policy.ts';
import {
  GS_EVICTIONS,
  GS_KSWAPD_NS,
  GS_KSWAPD_WAKEUPS,
  GS_RESIDENT,
  GS_WORDS,
  PG_LRU,
  PG_RESIDENT,
  PG_HOST_YOUNG,
  PG_SWAPCACHE,
  GS_AGING_NS,
} from '../sim/simLayout.ts';
import { C_CMPXCHG, C_PTE_SCAN, C_TLB_INVALIDATE } from '../sim/costs.ts';
import { hostMapped, hostTestClearYoung } from './hostPte.ts';
import { clearPageFlags } from './pageFlags.ts';
import { PAGE_CLUSTER, SwapArea, swapDeviceSlots } from './swapReadahead.ts';
import { KSWAPD_CPU } from './swapSlots.ts';
import { MAX_RECLAIM_RETRIES } from './kswapd.ts';
import type { HostFrames } from './hostFrames.ts';
import {
  LockedLruvec,
  LRUVEC_POLICY_WORDS,
  LRUVEC_WORDS,
  PGDAT_KSWAPD_FAILURES,
  PGDAT_WORDS,
  type SharedLru,
} from './sharedLru.ts';
import { GATE_WORDS } from './policy/agingGate.ts';

/** MIN_LRU_BATCH = BITS_PER_LONG: the look-around window and the walk's bitmap batch. */
export const MIN_LRU_BATCH = 64;
/** PTRS_PER_PTE: look-around is clipped to the folio's PMD (one leaf table). */
export const PMD_PAGES = 512;
/**
 * Folios kswapd considers per scheduler step. The kernel's kswapd checks folios one after another,
 * each taking and releasing the VM's MMU lock, while vCPUs run; one per step keeps its lock requests
 * in virtual-time order with theirs (a scheduling granularity, not a kernel constant).
 */
const KSWAPD_SCAN_PER_STEP = 1;
/**
 * Folios one direct-reclaim step considers (Pgdat.directReclaimStep): shrink_folio_list handles the
 * folios of a cluster one after another, each folio_referenced / try_to_unmap taking and releasing
 * the VM's MMU lock, so other vCPUs' faults and kswapd queue between two folios (qrwlock). The
 * faulting vCPU (Guest.fault) yields to the scheduler between steps once it is past its limit.
 */
const DIRECT_SCAN_PER_STEP = 1;
/**
 * folio_referenced's own walk for one mapped folio, outside the secondary MMU: rmap_walk (the anon_vma
 * or i_mmap tree of the VMM's one mapping, its lock), folio_referenced_one -> page_vma_mapped_walk (the
 * VMM's host page table, its PTE lock), ptep_clear_young_notify's primary PTE and the mmu-notifier
 * dispatch (__mmu_notifier_clear_young). 56 ns: inferred from idle page tracking, whose rmap walk per
 * page (page_idle_clear_pte_refs -> rmap_walk -> ptep_clear_young_notify, the same calls) took 15 s
 * for 1 TB, against 2 s in page-table order (lore.kernel.org/r/20180901124811.530300789@intel.com,
 * x86, 2018; ../shared/research/seed-numbers.md section 4). Used for Neoverse N1 as an estimate: a
 * figure of another CPU. KVM's handler (the lock, kvm_age_gfn or the lockless batch) is charged by
 * kvm/mmuNotifier.ts. A folio mapped nowhere (an unused swap-cache folio) returns before the walk
 * (folio_referenced: no mapcount) and pays nothing.
 */
export const RMAP_WALK_NS = 56;
/** List heads per lruvec (MGLRU uses MAX_NR_GENS of them). */
export const HEADS = 8;
/**
 * Folios a shrink_inactive_list call isolates at most (isolate_lru_folios with nr_to_scan capped at
 * SWAP_CLUSTER_MAX): NR_ISOLATED_ANON grows by this per reclaimer in its cluster (see isolate).
 */
const ISOLATE_BATCH = 32;
/**
 * reclaim_throttle(pgdat, VMSCAN_THROTTLE_ISOLATED)'s timeout: HZ/50 jiffies (mm/vmscan.c), 20 ms
 * whatever CONFIG_HZ (100, 250, 300 or 1000 all give 20 ms, to a jiffy).
 */
export const THROTTLE_ISOLATED_NS = 20_000_000;

/**
 * The wait queues a direct reclaimer can sleep on: pgdat->reclaim_wait[VMSCAN_THROTTLE_ISOLATED]
 * (reclaim_throttle from shrink_inactive_list) and pgdat->pfmemalloc_wait (throttle_direct_reclaim).
 */
export const WAIT_ISOLATED = 0;
export const WAIT_PFMEMALLOC = 1;

/** kswapd as the allocator sees it (mm/kswapd.ts): wakeup_kswapd. */
export interface KswapdTask {
  wake(t: number): boolean;
  /** Asleep in kswapd_try_to_sleep (waitqueue_active(&pgdat->kswapd_wait)). */
  readonly asleep: boolean;
  /** Awake in balance_pgdat: its batch counts as isolated (isolatedPages). */
  readonly isolating: boolean;
}

/** A task asleep in reclaim_throttle: woken by setting its clock (an actor's) no later than now. */
export interface ThrottleWaiter {
  clock: number;
}

interface Lruvec {
  policy: Policy;
  first: number;
  end: number;
  /** The guest (config index) of a memcg lruvec. */
  guest: number;
  /** Nothing evictable there in this shrinkNode call. */
  skip: boolean;
}

export class Pgdat implements Reclaimer {
  /** The reclaimer's clock during a reclaim call (ns). */
  t = 0;
  /** Pages evicted by the last shrinkNode call. */
  lastEvicted = 0;
  /** The last shrinkNode call stopped because its scan budget ran out (kswapd: call again at once). */
  scanAgain = false;
  /** Folio checks left in this call (kswapd: KSWAPD_SCAN_PER_STEP; direct reclaim: DIRECT_SCAN_PER_STEP). */
  private budget = Infinity;
  readonly guests: Guest[] = [];
  /** base[k]: first id of this worker's k-th guest. */
  private readonly base: number[] = [];
  /**
   * pmdBase[k]: the key of the k-th guest's first PTE table (one per PMD_PAGES gfns of the VMM's mapping of
   * its memory), the keys of MGLRU's Bloom filters; pmdKeys of them over the node.
   */
  private readonly pmdBase: number[] = [];
  private pmdKeys = 0;
  /** The walk's PTE table whose walk a MAX_LRU_BATCH step boundary split (walk): its key, test, young PTEs. */
  private splitKey = -1;
  private splitVisit = false;
  private splitYoung = 0;
  readonly total: number;
  /** The policies' per-page tags (MGLRU seq & 0xffff, active/inactive list), by host-wide id (heat map). */
  readonly tag: Int16Array;
  /** MGLRU's per-page folio flags (LRU_REFS, PG_workingset, shadow mark), by host-wide id (mglru.ts). */
  private readonly folioFlags: Uint8Array;
  private readonly lruvecs: Lruvec[] = [];
  /** The lruvec of each local guest. */
  private readonly lruvecOf: Lruvec[] = [];
  private readonly lookaround: boolean;
  private kswapd = false;
  /** Every guest's counters (all workers'), for proportional scanning between memcgs. */
  private readonly allStats: Float64Array;
  private readonly unpinned: number[];
  /** Spread runs (sim/spread.ts): pages carry PG_LRU, and only those on the LRU are promoted. */
  lruFlag = false;
  /** Other workers hold memcgs too (parallel runs): kswapd leaves a memcg that is ahead of its share. */
  private readonly sharedNode: boolean;
  /** The node's kswapd (null without one: demand-only runs, or no unpinned guest here). */
  kswapdTask: KswapdTask | null = null;
  /**
   * pgdat->kswapd_failures: balance_pgdat runs that freed nothing; wakeup_kswapd ignores the node at
   * MAX_RECLAIM_RETRIES, and any reclaim progress (shrink_node) resets it. In `state` (shared in a
   * spread run: direct reclaim on any worker resets it).
   */
  get kswapdFailures(): number {
    return this.state[PGDAT_KSWAPD_FAILURES];
  }

  set kswapdFailures(n: number) {
    this.state[PGDAT_KSWAPD_FAILURES] = n;
  }

  /** The node's and its lruvecs' counters (mm/sharedLru.ts layout): local, or the spread run's shared ones. */
  private readonly state: Float64Array;
  /** Direct-reclaim clusters in progress (each has isolated ISOLATE_BATCH folios: NR_ISOLATED_ANON). */
  private isolatedClusters = 0;
  /**
   * Tasks asleep on a wait queue (WAIT_ISOLATED: reclaim_throttle(VMSCAN_THROTTLE_ISOLATED),
   * pgdat->reclaim_wait[]; WAIT_PFMEMALLOC: throttle_direct_reclaim, pgdat->pfmemalloc_wait), with
   * the time each fell asleep.
   */
  private readonly throttled: ThrottleWaiter[][] = [[], []];
  private readonly throttledAt: number[][] = [[], []];
  /** allowDirectReclaim woke kswapd (the caller yields to the scheduler, as after wakeup_kswapd); it clears it. */
  wokeKswapd = false;
  /** Pages the last shrinkNode call freed (sc->nr_reclaimed: frames back on the free lists). */
  lastFreed = 0;
  /** The node's free frames and watermarks (the first attached guest's host; one host per run). */
  private host: HostFrames | null = null;
  /** The swap device's slots over this node's guests, with an SSD (mm/swapReadahead.ts); null with zram. */
  readonly swap: SwapArea | null;

  constructor(
    config: ScenarioConfig,
    guestPages: number[],
    guestIndices: number[],
    stats: Float64Array,
    workers = 1,
    /** Spread runs: the lruvec in shared memory, under lru_lock (mm/sharedLru.ts); else worker-local. */
    shared?: SharedLru,
  ) {
    this.allStats = stats;
    this.unpinned = config.guests.flatMap((g, i) => (g.protected ? [] : [i]));
    this.sharedNode = workers > 1;
    let total = 0;
    for (const g of guestIndices) {
      this.base.push(total);
      this.pmdBase.push(this.pmdKeys);
      total += guestPages[g];
      this.pmdKeys += Math.ceil(guestPages[g] / PMD_PAGES);
    }
    this.total = total;
    const perGuest = (config.reclaim.lruvec ?? 'host') === 'memcg';
    const nLruvecs = perGuest ? guestIndices.length : 1;
    // prev/next links (pages, then HEADS sentinels per lruvec) and a 16-bit tag per page: 10 bytes a page.
    const heads = HEADS * Math.max(1, nLruvecs);
    const links = shared?.links ?? new Int32Array(2 * (total + heads));
    if (links.length !== 2 * (total + heads)) throw new Error('shared lruvec: links sized for another node');
    const list = new DList(links, 0, total + heads);
    const tag = shared?.tag ?? new Int16Array(Math.max(1, total));
    this.tag = tag;
    const folioFlags = shared?.folioFlags ?? new Uint8Array(Math.max(1, total));
    this.folioFlags = folioFlags;
    this.state = shared?.state ?? new Float64Array(PGDAT_WORDS + nLruvecs * LRUVEC_WORDS);
    const fresh = shared?.fresh ?? true;
    if (fresh) this.state[PGDAT_KSWAPD_FAILURES] = 0;
    for (let k = 0; k < nLruvecs; k++) {
      const first = perGuest ? this.base[k] : 0;
      const end = perGuest ? this.base[k] + guestPages[guestIndices[k]] : total;
      // Aging passes are counted on the lruvec's first guest.
      const sb = guestIndices[k] * GS_WORDS;
      const at = PGDAT_WORDS + k * LRUVEC_WORDS;
      const ps = { state: this.state.subarray(at, at + LRUVEC_POLICY_WORDS), gateAt: at + LRUVEC_POLICY_WORDS, fresh };
      // The Bloom filters over the node's PTE tables (mm/policy/bloomFilter.ts): shared with the spread run's lruvec.
      const filters = shared?.filters ?? new Uint8Array(2 * this.pmdKeys);
      if (filters.length !== 2 * this.pmdKeys) throw new Error('shared lruvec: Bloom filters sized for another node');
      const own = makePolicy(config, list, tag, folioFlags, first, end, total + k * HEADS, stats, sb, this.state, {
        ...ps,
        filters,
      });
      const policy = shared?.lock ? new LockedLruvec(own, shared.lock) : own;
      this.lruvecs.push({ policy, first, end, guest: guestIndices[k] ?? 0, skip: false });
      this.lruvecPolicies.push(policy);
    }
    for (let k = 0; k < guestIndices.length; k++) this.lruvecOf.push(this.lruvecs[perGuest ? k : 0]);
    this.lookaround = config.reclaim.lookaround;
    this.swap =
      config.host.swap.device === 'ssd'
        ? new SwapArea(list, swapDeviceSlots(config), PAGE_CLUSTER, config.run.seed)
        : null;
  }

  /** Register the k-th local guest (after its Guest object exists). */
  attach(k: number, g: Guest): void {
    this.guests[k] = g;
    this.host ??= g.host;
  }

  idOf(k: number, gfn: number): number {
    return this.base[k] + gfn;
  }

  policyOf(k: number): Policy {
    return this.lruvecOf[k].policy;
  }

  /** Local guest index of id (few guests: a linear scan from the end). */
  guestOf(id: number): number {
    let k = this.base.length - 1;
    while (this.base[k] > id) k--;
    return k;
  }

  /** The lruvecs, for kswapd's aging decisions. */
  readonly lruvecPolicies: Policy[] = [];

  spent(): boolean {
    return this.budget <= 0;
  }

  referenced(id: number, promoter: Promoter | null): boolean {
    this.budget--;
    const k = this.guestOf(id);
    const g = this.guests[k];
    const gfn = id - this.base[k];
    // A readahead folio in the swap cache is mapped nowhere: folio_referenced's rmap walk finds no
    // mapping, so no mmu notifier is called and it is not referenced.
    if ((g.flags[gfn] & PG_SWAPCACHE) !== 0) return false;
    const h = g.harvester;
    h.t = this.t + RMAP_WALK_NS;
    h.kswapd = this.kswapd;
    let young: boolean;
    // The VMM's host PTE (mm/hostPte.ts): young once after the fault that installed it.
    const hostYoung = (g.flags[gfn] & PG_HOST_YOUNG) !== 0;
    if (promoter !== null && this.lookaround && (h.fastPath || hostYoung)) {
      let s2Young = false;
      if (h.fastPath) {
        // should_look_around (the seed's mm/vmscan.c, v2 19/21; v1 5/5 the same in effect): the folio's
        // own stage-2 first, mmu_notifier_clear_young on its one page (the fast path: lockless), then its
        // host PTE; only a young folio is looked around: KVM returns MMU_NOTIFIER_RANGE_LOCKLESS only
        // when the page was young (`args.young ? MMU_NOTIFIER_RANGE_LOCKLESS : 0`), and `return ret &
        // MMU_NOTIFIER_RANGE_LOCKLESS`, as mainline's folio_referenced_one looks around only a young PTE.
        // An old folio is not referenced and its neighbours are left as they are.
        h.lookAroundBatch(gfn, 1);
        s2Young = (h.young[0] & 1) !== 0;
        if (!s2Young && !hostYoung) {
          this.t = h.t;
          return false;
        }
      }
      // lru_gen_look_around: MIN_LRU_BATCH pages around the folio, clipped to its PMD and the VMA.
      const pmd = gfn - (gfn % PMD_PAGES);
      const pmdEnd = Math.min(pmd + PMD_PAGES, g.pages);
      let start = Math.max(pmd, gfn - MIN_LRU_BATCH / 2);
      const end = Math.min(pmdEnd, start + MIN_LRU_BATCH);
      start = Math.max(pmd, end - MIN_LRU_BATCH);
      const n = end - start;
      if (h.fastPath) {
        // The seed's lru_gen_look_around tests the stage-2 (test_spte_young: kvm_arch_test_clear_young)
        // and the host PTE (pte_young) of each page of the window, and clears both (clear_spte_young,
        // ptep_test_and_clear_young). The folio's own flag was cleared above: the window finds it old.
        h.lookAroundBatch(start, n);
      } else {
        // Mainline 6.1-6.6 folio_referenced_one: pte_young(primary) -> lru_gen_look_around, which
        // reads only host PTEs (the window's present ones: pteScan each), then referenced++ whatever
        // the notifier says; ptep_clear_flush_young_notify still runs after it (the primary, cleared
        // by the look-around, then the notifier's clear_flush_young: kvm_age_gfn under the lock).
        h.young[0] = 0;
        h.young[1] = 0;
        const ns = hostMapped(g.flags, start, n) * g.costs[C_PTE_SCAN];
        h.t += ns;
        g.stats[g.sb + GS_AGING_NS] += ns;
      }
      // The folio's own host PTE: the seed's should_look_around clears it first; mainline's look-around
      // skips the isolated folio (get_pfn_folio: not on the LRU) and ptep_clear_flush_young_notify
      // clears it after. Either way it ends old and counts as referenced.
      if (hostYoung) {
        clearPageFlags(g.flags, gfn, PG_HOST_YOUNG);
        h.t += g.costs[C_CMPXCHG];
        g.stats[g.sb + GS_AGING_NS] += g.costs[C_CMPXCHG];
      }
      this.hostClear(g, start, n);
      // kswapd's shrink has an mm_walk (set_mm_walk: pgdat->mm_walk), direct reclaim none.
      young =
        this.promoteYoung(h.young, start, n, this.base[k], gfn, promoter, g.flags, this.kswapd) || hostYoung || s2Young;
      // "feedback from rmap walkers to page table walkers": suitable_to_scan(i, young) over the window adds
      // its PTE table to the Bloom filter of max_seq. young counts the folio itself (the seed's
      // should_look_around sets it; mainline's window loop finds its young host PTE), cleared above.
      const own = gfn - start;
      const ownBit = (h.young[own >>> 5] >>> (own & 31)) & 1;
      promoter.lookedAround?.(
        this.pmdBase[k] + pmd / PMD_PAGES,
        n,
        popcount(h.young[0]) + popcount(h.young[1]) - ownBit + 1,
      );
      if (!h.fastPath) h.folioReferenced(gfn);
    } else {
      // ptep_clear_flush_young_notify: ptep_clear_flush_young on the host PTE (arm64: the cmpxchg, and
      // flush_tlb_page_nosync's TLBI when it was young; estimate: tlbInvalidate, the stage-2 TLBI's
      // figure, for a TLBI without the DSB), then the notifier (clear_flush_young or clear_young).
      if (hostYoung) {
        clearPageFlags(g.flags, gfn, PG_HOST_YOUNG);
        const ns = g.costs[C_CMPXCHG] + g.costs[C_TLB_INVALIDATE];
        h.t += ns;
        g.stats[g.sb + GS_AGING_NS] += ns;
      }
      young = h.folioReferenced(gfn) || hostYoung;
    }
    this.t = h.t;
    return young;
  }

  /**
   * ptep_test_and_clear_young on the young host PTEs of a window the walk or look-around visited,
   * OR-ed into the harvester's `young` (mm/hostPte.ts); each clear is an atomic (cmpxchg) on h.t.
   */
  private hostClear(g: Guest, start: number, n: number): void {
    const h = g.harvester;
    const cleared = hostTestClearYoung(g.flags, start, n, h.young, this.lruFlag);
    if (cleared === 0) return;
    const ns = cleared * g.costs[C_CMPXCHG];
    h.t += ns;
    g.stats[g.sb + GS_AGING_NS] += ns;
  }

  /**
   * Promote the young pages of a batch except `skip`; returns whether `skip` itself was young. In
   * address order, as lru_gen_look_around and walk_pte_range visit them (for_each_set_bit): `lazy`
   * (an mm_walk: kswapd's look-around, any walk) changes their generation only (folio_update_gen),
   * else each is activated in turn (folio_activate: the head of the youngest generation, so the last
   * address ends nearest the head and eviction later meets them in ascending order).
   */
  private promoteYoung(
    y: Uint32Array,
    start: number,
    count: number,
    base: number,
    skip: number,
    p: Promoter,
    flags: Uint8Array,
    lazy: boolean,
  ): boolean {
    let skipYoung = false;
    for (let w = 0; w < 2; w++) {
      let bits = y[w];
      while (bits !== 0) {
        const low = bits & -bits;
        const b = 31 - Math.clz32(low);
        bits ^= low;
        const gfn = start + w * 32 + b;
        if (gfn === skip) skipYoung = true;
        // Spread runs: a page still in a vCPU worker's lru_add batch is on no list yet (PG_LRU clear).
        else if (gfn < start + count && (!this.lruFlag || (flags[gfn] & PG_LRU) !== 0)) {
          if (lazy) p.promote(base + gfn);
          else p.activate(base + gfn);
        }
      }
    }
    return skipYoung;
  }

  canWalk(start: number, end: number): boolean {
    // should_walk_mmu(): arch_has_hw_pte_young() is a property of the host CPU, the same for every VM.
    for (let k = this.guestOf(start); k < this.guests.length && this.base[k] < end; k++)
      if (this.guests[k].harvester.walkMmu) return true;
    return false;
  }

  walk(start: number, end: number, promoter: Promoter): void {
    for (let k = this.guestOf(start); k < this.guests.length && this.base[k] < end; k++) {
      const g = this.guests[k];
      const h = g.harvester;
      if (!h.walkMmu || g.pinned) continue;
      const b = this.base[k];
      const lo = Math.max(start, b) - b;
      const hi = Math.min(end, b + g.pages) - b;
      h.t = this.t;
      h.kswapd = this.kswapd;
      // walk_pmd_range, one PTE table (PMD_PAGES gfns) at a time: test_bloom_filter decides whether
      // walk_pte_range reads it, and a table it read with enough young PTEs is carried over to the next
      // walk's filter (mm/policy/bloomFilter.ts). A MAX_LRU_BATCH step may end inside a table (a guest
      // not PMD-aligned in the id space): the next step finishes it with the same decision (split*).
      for (let p = lo; p < hi;) {
        const pmd = p - (p % PMD_PAGES);
        const pmdEnd = Math.min(pmd + PMD_PAGES, g.pages);
        const stop = Math.min(pmdEnd, hi);
        const key = this.pmdBase[k] + pmd / PMD_PAGES;
        let visit: boolean;
        let young = 0;
        if (p !== pmd && this.splitKey === key) {
          visit = this.splitVisit;
          young = this.splitYoung;
        } else visit = promoter.walkPmd?.(key) ?? true;
        if (visit) {
          for (let w = p; w < stop; w += MIN_LRU_BATCH) {
            const n = Math.min(MIN_LRU_BATCH, stop - w);
            if (!anyResident(g.flags, w, n)) continue; // walk_pte_range skips empty PMDs/PTEs cheaply
            h.walkBatch(w, n);
            // walk_pte_range tests the host PTEs in every harvest mode (pte_young; the seed also the stage-2).
            this.hostClear(g, w, n);
            young += popcount(h.young[0]) + popcount(h.young[1]);
            this.promoteYoung(h.young, w, n, b, -1, promoter, g.flags, true);
          }
          if (stop === pmdEnd) promoter.walkedPmd?.(key, pmdEnd - pmd, young);
        }
        this.splitKey = stop === pmdEnd ? -1 : key;
        this.splitVisit = visit;
        this.splitYoung = young;
        p = stop;
      }
      this.t = h.t;
    }
  }

  /**
   * Evict up to nr pages at virtual time t (shrink_node); sets lastEvicted, returns the finish time.
   * byVcpu: direct reclaim on a vCPU's fault path; otherwise kswapd. cpu: the reclaimer's CPU, whose
   * swap cluster the swap-outs take their slots from (mm/swapSlots.ts).
   */
  shrinkNode(
    t: number,
    nr: number,
    byVcpu: boolean,
    own?: Policy,
    budget = byVcpu ? Infinity : KSWAPD_SCAN_PER_STEP,
    cpu = KSWAPD_CPU,
  ): number {
    this.t = t;
    this.kswapd = !byVcpu;
    this.budget = budget;
    this.scanAgain = false;
    const freed = this.swap !== null ? this.endWriteback(t) : 0;
    let nrFreed = freed;
    let count = 0;
    // memcg mode, direct reclaim: the faulting VM's own memcg first (a deviation, see guestShrink).
    const first = own !== undefined && this.lruvecs.length > 1 ? this.lruvecs.find((l) => l.policy === own) : undefined;
    while (count < nr) {
      const lv = first !== undefined && !first.skip ? first : this.pickLruvec();
      if (lv === null) break;
      const id = lv.policy.pickVictim(this, byVcpu);
      if (id === SCAN_AGAIN) {
        this.scanAgain = true;
        break;
      }
      if (id < 0) {
        if (this.lruvecs.length === 1) break;
        lv.skip = true; // nothing evictable there now: the others
        continue;
      }
      const k = this.guestOf(id);
      const g = this.guests[k];
      this.t = g.evictOne(id - this.base[k], this.t, byVcpu, cpu);
      // Under writeback in the swap cache (SSD): not freed, so no shadow yet (a fault finds the folio in
      // the swap cache: no workingset_refault); endWriteback frees it and leaves the shadow then.
      if ((g.flags[id - this.base[k]] & PG_SWAPCACHE) !== 0) this.folioFlags[id] = 0;
      else nrFreed++;
      count++;
    }
    // kswapd's busy time (folio_referenced, unmap, swap-out) goes to the first VM of the node: only
    // the node's sum is reported (kswapdWriteWaitShare), as the seed's kswapd profile is per node.
    if (!byVcpu && this.guests.length > 0) this.guests[0].stats[this.guests[0].sb + GS_KSWAPD_NS] += this.t - t;
    for (const l of this.lruvecs) l.skip = false;
    this.lastEvicted = count;
    this.lastFreed = nrFreed;
    if (count + freed > 0) this.kswapdFailures = 0; // shrink_node: reclaim made progress
    return this.t;
  }

  /**
   * The reclaim pass starting at t meets, at the LRU tail where folio_end_writeback ->
   * folio_rotate_reclaimable put them, the swapped-out folios whose write completed by t, and frees
   * them (shrink_folio_list -> __remove_mapping: clean, in the swap cache, no rmap walk). Entries are
   * met in submission order, stopping at the first still in flight (writes by several reclaimers
   * complete nearly in that order; a later one behind it waits for the next pass). Returns the frees.
   * Their per-folio CPU cost is not charged (as for an unused readahead folio, Guest.evictOne).
   */
  private endWriteback(t: number): number {
    const wb = (this.swap as SwapArea).writeback;
    let n = 0;
    for (const [id, done] of wb) {
      if (done > t) break;
      wb.delete(id);
      const k = this.guestOf(id);
      this.guests[k].freeWritten(id - this.base[k]);
      this.lruvecOf[k].policy.evicted?.(id); // __remove_mapping -> workingset_eviction
      n++;
    }
    return n;
  }

  /**
   * wakeup_kswapd at time t, from the allocator's slow path (Guest.fault, free at or below the low
   * watermark). Returns whether a sleeping kswapd woke (the waker then yields to the scheduler, so
   * kswapd's first steps are booked in virtual-time order).
   */
  wakeKswapd(t: number): boolean {
    return this.kswapdTask !== null && this.kswapdTask.wake(t);
  }

  countWakeup(): void {
    if (this.guests.length > 0) this.guests[0].stats[this.guests[0].sb + GS_KSWAPD_WAKEUPS]++;
  }

  /**
   * NR_ISOLATED_ANON: ISOLATE_BATCH per direct-reclaim cluster in progress, and one batch for kswapd
   * while it is awake (its shrink_inactive_list isolates a batch at a time too; estimate: counted the
   * whole time it is awake).
   */
  isolatedPages(): number {
    return ISOLATE_BATCH * (this.isolatedClusters + (this.kswapdTask?.isolating === true ? 1 : 0));
  }

  /**
   * too_many_isolated() for a direct reclaimer about to isolate a batch from `policy` at time t
   * (shrink_inactive_list): isolated > inactive >> 3 (a KVM fault allocates with
   * GFP_HIGHUSER_MOVABLE, which has __GFP_IO | __GFP_FS: gfp_has_io_fs). When not too many, the
   * tasks asleep in reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) are woken (wake_throttle_isolated,
   * wake_up_all) at t. Policies without the check (MGLRU's evict_folios -> isolate_folios has none;
   * the lab's exact LRU and CLOCK are not kernel policies) answer false and wake nobody.
   * kswapd never calls it (current_is_kswapd() returns false before the wake-up).
   */
  tooManyIsolated(policy: Policy, t: number): boolean {
    const inactive = policy.inactivePages();
    if (inactive < 0) return false;
    const tooMany = this.isolatedPages() > inactive >> 3;
    if (!tooMany) this.wakeThrottled(t);
    return tooMany;
  }

  /** isolate_lru_folios of a direct-reclaim cluster: NR_ISOLATED_ANON += ISOLATE_BATCH. */
  isolate(): void {
    this.isolatedClusters++;
  }

  /** The cluster's folios are back on the LRU or freed (move_folios_to_lru): NR_ISOLATED_ANON -= ISOLATE_BATCH. */
  putback(): void {
    this.isolatedClusters--;
  }

  /**
   * `w` fell asleep at time t on wait queue `queue` (WAIT_ISOLATED: reclaim_throttle, its clock is t +
   * the timeout; WAIT_PFMEMALLOC: throttle_direct_reclaim, no timeout, its clock is +Infinity).
   */
  throttle(w: ThrottleWaiter, t: number, queue = WAIT_ISOLATED): void {
    this.throttled[queue].push(w);
    this.throttledAt[queue].push(t);
  }

  /** `w` runs again (woken or timed out): off its wait queue (finish_wait). */
  unthrottle(w: ThrottleWaiter): void {
    for (let q = 0; q < this.throttled.length; q++) {
      const i = this.throttled[q].indexOf(w);
      if (i < 0) continue;
      this.throttled[q].splice(i, 1);
      this.throttledAt[q].splice(i, 1);
    }
  }

  /** Tasks asleep on wait queue `queue` (waitqueue_active). */
  sleepers(queue: number): number {
    return this.throttled[queue].length;
  }

  /** wake_throttle_isolated at time t: every sleeper runs from t (or from when it fell asleep, if later). */
  private wakeThrottled(t: number): void {
    this.wakeAll(WAIT_ISOLATED, t);
  }

  /** wake_up_all on `queue` at time t: every sleeper runs from t (or from when it fell asleep, if later). */
  private wakeAll(queue: number, t: number): void {
    const ws = this.throttled[queue];
    const at = this.throttledAt[queue];
    for (let i = 0; i < ws.length; i++) {
      const from = at[i] > t ? at[i] : t;
      if (from < ws[i].clock) ws[i].clock = from;
    }
    ws.length = 0;
    at.length = 0;
  }

  /**
   * allow_direct_reclaim(pgdat) at time t (mm/vmscan.c, 6.1 and 6.6): true when kswapd gave up on the
   * node (kswapd_failures >= MAX_RECLAIM_RETRIES) or no zone has reclaimable pages (no reserve: "do not
   * throttle"); else free pages > the sum of the zones' min watermarks / 2 (unsigned long division).
   * The lab's node is one zone (ZONE_NORMAL; arm64 has ZONE_DMA too, whose min share is small). When
   * false it wakes a sleeping kswapd ("kswapd must be awake if processes are being throttled":
   * wake_up_interruptible(&pgdat->kswapd_wait) when waitqueue_active).
   */
  allowDirectReclaim(t: number): boolean {
    const host = this.host;
    const k = this.kswapdTask;
    if (host === null || k === null) return true;
    if (this.kswapdFailures >= MAX_RECLAIM_RETRIES) return true;
    let reclaimable = 0;
    for (const l of this.lruvecs) reclaimable += l.policy.size();
    // zone_reclaimable_pages(zone) == 0: the zone adds nothing to pfmemalloc_reserve.
    const reserve = reclaimable > 0 ? host.min : 0;
    if (reserve === 0) return true;
    const ok = host.free() > Math.floor(reserve / 2);
    if (!ok && k.asleep && k.wake(t)) this.wokeKswapd = true;
    return ok;
  }

  /**
   * throttle_direct_reclaim's check for a user task (not PF_KTHREAD, no fatal signal) at the start of
   * try_to_free_pages, at time t: whether it must sleep on pgdat->pfmemalloc_wait. Counted by the caller
   * (PGSCAN_DIRECT_THROTTLE).
   */
  mustThrottleDirect(t: number): boolean {
    return !this.allowDirectReclaim(t);
  }

  /**
   * balance_pgdat after each kswapd_shrink_node at kswapd's time t: "if the low watermark is met there
   * is no need for processes to be throttled on pfmemalloc_wait": waitqueue_active(&pgdat->pfmemalloc_wait)
   * && allow_direct_reclaim(pgdat) -> wake_up_all.
   */
  kswapdShrunk(t: number): void {
    if (this.throttled[WAIT_PFMEMALLOC].length > 0 && this.allowDirectReclaim(t)) this.wakeAll(WAIT_PFMEMALLOC, t);
  }

  /**
   * prepare_kswapd_sleep at kswapd's time t: "if kswapd is going to sleep, no process should be sleeping
   * on pfmemalloc_wait, so wake them now if necessary" (wake_up_all, unconditionally; a woken task whose
   * condition still fails sleeps again and wakes kswapd).
   */
  kswapdSleeps(t: number): void {
    if (this.throttled[WAIT_PFMEMALLOC].length > 0) this.wakeAll(WAIT_PFMEMALLOC, t);
  }

  /**
   * One step of direct reclaim by a vCPU of the local guest whose lruvec is `own`: one folio of
   * shrink_folio_list (folio_referenced; try_to_unmap and swap-out when it was not young), evicting
   * 0 or 1 page (lastEvicted); scanAgain when the folio was young (rotated) and the cluster goes on.
   * Guest.fault runs SWAP_CLUSTER_MAX evictions as such steps. With the host lruvec this is
   * shrinkNode. With memcgs, the kernel's direct reclaim on a node shortage scans every memcg in
   * proportion; here the faulting VM's memcg goes first (as under a memcg limit) and the others only
   * when it has nothing to evict, because in a parallel run the other workers' memcgs are out of reach
   * and one-worker runs must agree with parallel ones (a stated deviation).
   */
  directReclaimStep(t: number, own: Policy, cpu: number): number {
    return this.shrinkNode(t, 1, true, own, DIRECT_SCAN_PER_STEP, cpu);
  }

  /**
   * directReclaimStep's per-call state, for a caller that picks and evicts the victim itself: the
   * trace-replay fast path (sim/replay.ts, one guest, one lruvec), which must leave the Reclaimer as
   * directReclaimStep would for its policy's folio_referenced calls.
   */
  beginDirectReclaim(t: number): void {
    this.t = t;
    this.kswapd = false;
    this.budget = DIRECT_SCAN_PER_STEP;
    this.scanAgain = false;
  }

  /** kswapd's aging step on a lruvec (lru_gen_age_node / shrink_active_list) from time t; reads back `t`. */
  kswapdAgeStep(policy: Policy, t: number): boolean {
    this.t = t;
    this.kswapd = true;
    this.budget = KSWAPD_SCAN_PER_STEP;
    const more = policy.ageStep(this);
    if (this.guests.length > 0) this.guests[0].stats[this.guests[0].sb + GS_KSWAPD_NS] += this.t - t;
    return more;
  }

  /**
   * The lruvec to take the next page from: the only one, or (memcg) the one furthest behind its
   * proportional share: get_scan_count scans each memcg's lruvec in proportion to its size, so over
   * time each memcg's share of evictions follows its share of resident pages (shares over every guest
   * of the host: all workers' counters).
   */
  private pickLruvec(): Lruvec | null {
    const ls = this.lruvecs;
    if (ls.length === 1) return ls[0].skip ? null : ls[0];
    const st = this.allStats;
    let resident = 0;
    let evicted = 0;
    for (const g of this.unpinned) {
      resident += st[g * GS_WORDS + GS_RESIDENT];
      evicted += st[g * GS_WORDS + GS_EVICTIONS];
    }
    let best: Lruvec | null = null;
    let bestDeficit = -Infinity;
    for (const l of ls) {
      if (l.skip || l.policy.size() === 0) continue;
      const b = l.guest * GS_WORDS;
      const share = resident > 0 ? st[b + GS_RESIDENT] / resident : 0;
      const done = evicted > 0 ? st[b + GS_EVICTIONS] / evicted : 0;
      const deficit = share - done;
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = l;
      }
    }
    return best;
  }

  /**
   * The share of the node's one kswapd this worker's reclaim stands for: its guests' share of the
   * node's evictable (resident, unpinned) pages. 1 with one worker. In a parallel run each worker runs
   * a kswapd over its own memcgs; stretching its busy time by 1/share makes the workers' kswapds
   * together work at the rate of one (one kswapd per node, time-shared across memcgs).
   */
  kswapdShare(): number {
    if (!this.sharedNode) return 1;
    const st = this.allStats;
    let all = 0;
    let mine = 0;
    for (const g of this.unpinned) all += st[g * GS_WORDS + GS_RESIDENT];
    for (const l of this.lruvecs) if (this.unpinned.includes(l.guest)) mine += st[l.guest * GS_WORDS + GS_RESIDENT];
    return all > 0 && mine > 0 ? mine / all : 1;
  }
}

function anyResident(flags: Uint8Array, start: number, n: number): boolean {
  for (let i = start; i < start + n; i++) if ((flags[i] & PG_RESIDENT) !== 0) return true;
  return false;
}

/**
 * A lruvec's policy; its counters in `ps.state` and its aging gate's in `nodeState` at `ps.gateAt`
 * (GATE_WORDS), initialised unless a shared lruvec was built already (`ps.fresh` false).
 */
/** Set bits of a 32-bit word. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function makePolicy(
  config: ScenarioConfig,
  list: DList,
  tag: Int16Array,
  folioFlags: Uint8Array,
  first: number,
  end: number,
  headBase: number,
  stats: Float64Array,
  sb: number,
  nodeState: Float64Array,
  ps: { state: Float64Array; gateAt: number; fresh: boolean; filters: Uint8Array },
): Policy {
  const policy = config.reclaim.policy;
  if (ps.gateAt + GATE_WORDS > nodeState.length) throw new Error('lruvec state: no room for the aging gate');
  const gate = new AgingGate(config.reclaim.agingIntervalMs * 1e6, nodeState, ps.gateAt, ps.fresh);
  switch (policy) {
    case 'exact-lru':
      return new ExactLru(list, headBase, ps.state, ps.fresh);
    case 'clock':
      return new Clock(list, headBase, ps.state, ps.fresh);
    case 'active-inactive':
      return new ActiveInactive(list, tag, headBase, stats, sb, gate, ps.state, ps.fresh, config.host.scale ?? 1);
    case 'mglru':
      return new Mglru(list, tag, first, end, headBase, stats, sb, gate, ps.state, ps.fresh, folioFlags, ps.filters);
    default: {
      const never: never = policy;
      throw new Error(`unexpected reclaim policy ${String(never)}`);
    }
  }
}
