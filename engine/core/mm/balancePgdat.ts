/**
 * balance_pgdat's iterations for kswapd (mm/kswapd.ts; mm/vmscan.c 6.3-6.4, read in bqqmf/linux-6.3 and
 * the 6.2 -> 6.3 diff "mm: multi-gen LRU: remove eviction fairness safeguard"): each iteration is one
 * kswapd_shrink_node call with sc->nr_to_reclaim = max(high_wmark_pages, SWAP_CLUSTER_MAX), and
 * pgdat_balanced is checked only between calls. On MGLRU lruvecs the call is lru_gen_shrink_node ->
 * set_initial_priority (at DEF_PRIORITY) -> shrink_one -> try_to_shrink_lruvec, which evicts until
 * sc->nr_reclaimed >= nr_to_reclaim or scan_folios looked at size >> priority folios; balance_pgdat then
 * lowers sc.priority unless the call isolated nr_to_reclaim folios (kswapd_shrink_node's return) and it
 * reclaimed something. The other policies' calls end at nr_to_reclaim only (their shrink_lruvec priority
 * descent is not modelled), and kswapd checks the watermark after each of their folios.
 *
 * Not modelled: evict_folios' batches (up to MIN_LRU_BATCH isolated, MAX_LRU_BATCH scanned: the lab ends
 * the call at the folio that reaches a bound); try_to_shrink_lruvec's end when get_nr_to_scan ages
 * (the lab's kswapd ages in steps between folios, Kswapd.wantsAging); kswapd_failures, which
 * lru_gen_shrink_node resets on every call in 6.3-6.4 ("kswapd should never fail").
 */
import type { HostFrames } from './hostFrames.ts';
import type { Pgdat } from './pgdat.ts';
import type { LruGenScan } from './policy/policy.ts';
import { MIN_LRU_BATCH } from './reclaimConsts.ts';

/** SWAP_CLUSTER_MAX (include/linux/swap.h): kswapd_shrink_node's floor on nr_to_reclaim. */
const SWAP_CLUSTER_MAX = 32;

/** DEF_PRIORITY (include/linux/mmzone.h): balance_pgdat's first sc.priority; a scan covers size >> priority. */
export const DEF_PRIORITY = 12;
/** MEMCG_NR_GENS (include/linux/mmzone.h, 6.3-6.4 with CONFIG_MEMCG): set_initial_priority's divisor. */
const MEMCG_NR_GENS = 2;

/**
 * set_initial_priority (mm/vmscan.c 6.3-6.4), for a balance_pgdat iteration at DEF_PRIORITY: the priority at
 * which ((reclaimable / MEMCG_NR_GENS) >> priority) reaches nr_to_reclaim, reclaimable rounded down and
 * nr_to_reclaim up to powers of two (fls_long), clamped to [0, DEF_PRIORITY]; a target below MIN_LRU_BATCH
 * keeps DEF_PRIORITY. reclaimable: NR_INACTIVE_ANON (no file pages on the lab's host).
 */
export function initialPriority(reclaimable: number, nrToReclaim: number): number {
  if (nrToReclaim < MIN_LRU_BATCH) return DEF_PRIORITY;
  const p = flsLong(Math.floor(reclaimable / MEMCG_NR_GENS)) - 1 - flsLong(nrToReclaim - 1);
  return p < 0 ? 0 : p > DEF_PRIORITY ? DEF_PRIORITY : p;
}

/** fls_long: the 1-based index of the highest set bit, 0 for 0. */
function flsLong(x: number): number {
  return x <= 0 ? 0 : x < 4294967296 ? 32 - Math.clz32(x) : Math.floor(Math.log2(x)) + 1;
}

/** kswapd's balance_pgdat state between its steps. */
export class BalancePgdat {
  /**
   * MGLRU: the lruvecs' counts (every lruvec has Policy.lruGenScan, and this is the node's one kswapd:
   * per-memcg workers' kswapds, each with a share of the node's memcgs, keep the older rule). Else null.
   */
  private gen: LruGenScan[] | null = null;
  /** sc.priority. */
  priority = DEF_PRIORITY;
  /** This kswapd_shrink_node call's sc->nr_reclaimed (frames freed), scanned folios, isolated folios. */
  freed = 0;
  private scanned = 0;
  private isolated = 0;
  /** The lruvecs' counts before the current step (before / after). */
  private scanned0 = 0;
  private isolated0 = 0;

  constructor(
    private readonly pgdat: Pgdat,
    private readonly host: HostFrames,
    /** The node's only kswapd (one worker, or a spread run's worker 0). */
    private readonly alone: boolean,
  ) {}

  /** The MGLRU rule applies (pgdat_balanced only between calls). */
  get lruGen(): boolean {
    return this.gen !== null;
  }

  /** balance_pgdat's start (a wake-up): sc.priority = DEF_PRIORITY, the first call. */
  start(): void {
    const ps = this.pgdat.lruvecPolicies;
    const one = this.alone || this.pgdat.lruFlag;
    const gen = one && ps.length > 0 && ps.every((p) => p.lruGenScan !== undefined);
    this.gen = gen ? ps.map((p) => (p.lruGenScan as () => LruGenScan)()) : null;
    this.priority = DEF_PRIORITY;
    this.callStart();
  }

  /** Before a shrinkNode step: the counts so far (after() adds the step's to the call's). */
  before(): void {
    if (this.gen === null) return;
    this.scanned0 = this.count(true);
    this.isolated0 = this.count(false);
  }

  after(): void {
    if (this.gen === null) return;
    this.scanned += this.count(true) - this.scanned0;
    this.isolated += this.count(false) - this.isolated0;
  }

  /**
   * The kswapd_shrink_node call ends: it reclaimed nr_to_reclaim (try_to_shrink_lruvec's
   * `sc->nr_reclaimed >= nr_to_reclaim`), or, MGLRU, scanned size >> priority folios (`scanned >= nr_to_scan`).
   */
  ends(): boolean {
    if (this.freed >= this.nrToReclaim()) return true;
    return this.gen !== null && this.scanned >= Math.floor(this.total() / 2 ** this.priority);
  }

  /**
   * balance_pgdat after an unbalanced call: raise the priority unless the call isolated nr_to_reclaim
   * folios (kswapd_shrink_node's `sc->nr_scanned >= sc->nr_to_reclaim`), or when it reclaimed nothing;
   * below 1 balance_pgdat ends and, the node still unbalanced, kswapd_try_to_sleep returns at once into a
   * new one at DEF_PRIORITY. Then the next call.
   */
  next(): void {
    if (this.gen !== null && (this.isolated < this.nrToReclaim() || this.freed === 0)) {
      this.priority--;
      if (this.priority < 1) this.priority = DEF_PRIORITY;
    }
    this.callStart();
  }

  /** kswapd_shrink_node's start: nr_reclaimed 0; MGLRU: lru_gen_shrink_node's set_initial_priority. */
  private callStart(): void {
    this.freed = 0;
    this.scanned = 0;
    this.isolated = 0;
    const gen = this.gen;
    if (gen === null) return;
    if (this.priority === DEF_PRIORITY) {
      let inactive = 0;
      for (const g of gen) inactive += g.inactiveGens();
      this.priority = initialPriority(inactive, this.nrToReclaim());
    }
    // get_nr_to_scan's size >> priority is 0: such a call scans and reclaims nothing, and balance_pgdat
    // raises the priority (no virtual time passes).
    const total = this.total();
    while (this.priority > 1 && Math.floor(total / 2 ** this.priority) === 0) this.priority--;
  }

  /** kswapd_shrink_node's sc->nr_to_reclaim: max(high_wmark_pages, SWAP_CLUSTER_MAX) (one zone). */
  private nrToReclaim(): number {
    return Math.max(this.host.high, SWAP_CLUSTER_MAX);
  }

  private total(): number {
    let n = 0;
    for (const p of this.pgdat.lruvecPolicies) n += p.size();
    return n;
  }

  /** The lruvecs' running counts: scanned (true) or isolated (false). */
  private count(scanned: boolean): number {
    let n = 0;
    for (const g of this.gen as LruGenScan[]) n += scanned ? g.foliosScanned : g.foliosIsolated;
    return n;
  }
}
