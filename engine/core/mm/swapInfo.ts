/**
 * One swap device's slot map and cluster bookkeeping (mm/swapfile.c, Linux 6.2-6.9): the part of
 * struct swap_info_struct the slot allocator works on: swap_map (what each slot holds), cluster_info
 * (each cluster's use count and CLUSTER_FLAG_FREE), si->free_clusters, lowest_bit / highest_bit and
 * inuse_pages; setup_swap_map_and_extents (the constructor), swap_range_alloc with inc_cluster_info_page
 * and alloc_cluster (take), swap_entry_free with dec_cluster_info_page, free_cluster and
 * swap_range_free (entryFree). The allocator's scan is mm/swapScan.ts, the per-CPU slot cache over it
 * mm/swapSlots.ts (whose SwapSlots is the class to use; this one is its base).
 *
 * - At swapon (setup_swap_map_and_extents) the free clusters are listed in SWAP_CLUSTER_COLS columns:
 *   clusters 0, 32, 64, ... then 1, 33, ..., so successive free clusters lie a swap address space apart.
 *   Slot 0 (the header) and the slots past the device's end count as used in their clusters.
 *
 * Constants (cited): SWAPFILE_CLUSTER is HPAGE_PMD_NR = 512 with CONFIG_THP_SWAP (mm/swapfile.c; mm/Kconfig:
 * THP_SWAP def_bool y on TRANSPARENT_HUGEPAGE && ARCH_WANTS_THP_SWAP && SWAP && 64BIT, which
 * arch/arm64/Kconfig selects for ARM64_4K_PAGES since 6.0 and x86_64 since 4.13), 256 without it.
 * SWAP_SLOTS_CACHE_SIZE = SWAP_BATCH = 64 (include/linux/swap_slots.h, swap.h). LATENCY_LIMIT 256.
 * SWAP_ADDRESS_SPACE_SHIFT 14. SWAP_CLUSTER_COLS = max(L1_CACHE_BYTES / sizeof(struct swap_cluster_info)
 * = 64 / 8, SWAP_ADDRESS_SPACE_PAGES / SWAPFILE_CLUSTER = 32) = 32.
 *
 * Memory: the page id of each slot lives in a 512-entry array per cluster in use (dropped when the
 * cluster is free again): 4 bytes per slot of the clusters holding swapped-out pages.
 */
import { Prng } from '../sim/prng.ts';

/** SWAPFILE_CLUSTER with CONFIG_THP_SWAP: HPAGE_PMD_NR (4 KiB pages) slots per cluster. */
export const SWAPFILE_CLUSTER = 512;
/** SWAP_SLOTS_CACHE_SIZE = SWAP_BATCH: entries per CPU cache refill, and per slots_ret flush. */
export const SWAP_SLOTS_CACHE_SIZE = 64;
/** SWAP_ADDRESS_SPACE_PAGES = 1 << SWAP_ADDRESS_SPACE_SHIFT (14). */
export const SWAP_ADDRESS_SPACE_PAGES = 1 << 14;
/** SWAP_CLUSTER_COLS for SWAPFILE_CLUSTER 512 (see the file comment). */
const SWAP_CLUSTER_COLS = Math.max(8, SWAP_ADDRESS_SPACE_PAGES / SWAPFILE_CLUSTER);

/** swap_map states besides a page id (>= 0). */
export const FREE = -1;
/** SWAP_HAS_CACHE with no page: reserved in a CPU's slot cache, or freed into its slots_ret. */
export const HELD = -2;

export class SwapInfo {
  /** si->max: slots on the device, the header included. */
  readonly max: number;
  /** si->pages: usable slots. */
  readonly pages: number;
  protected lowestBit: number;
  protected highestBit: number;
  protected inuse = 0;
  private readonly nClusters: number;
  /** cluster_count per cluster. */
  private readonly count: Int32Array;
  /** CLUSTER_FLAG_FREE per cluster (on si->free_clusters). */
  protected readonly isFree: Uint8Array;
  /** si->free_clusters: a FIFO ring (taken at the head only: alloc_cluster; added at the tail). */
  private readonly freeRing: Int32Array;
  private freeHead = 0;
  private freeLen = 0;
  /** Page id (or FREE / HELD) per slot, one array per cluster in use; null: every slot free. */
  private readonly map: (Int32Array | null)[];
  private readonly rng: Prng;

  constructor(deviceSlots: number, seed = 1) {
    this.max = Math.max(2, deviceSlots);
    this.pages = this.max - 1;
    this.lowestBit = 1;
    this.highestBit = this.max - 1;
    this.rng = new Prng(seed, 0x5a0);
    const n = Math.ceil(this.max / SWAPFILE_CLUSTER);
    this.nClusters = n;
    this.count = new Int32Array(n);
    this.isFree = new Uint8Array(n);
    this.freeRing = new Int32Array(n);
    this.map = new Array<Int32Array | null>(n).fill(null);
    // The slots past the end, and the header, are used in their clusters.
    for (let s = this.max; s < n * SWAPFILE_CLUSTER; s++) this.markInit(s);
    this.markInit(0);
    // setup_swap_map_and_extents: col = cluster_next (1) / SWAPFILE_CLUSTER % SWAP_CLUSTER_COLS = 0.
    const cols = SWAP_CLUSTER_COLS;
    for (let k = 0; k < cols; k++)
      for (let i = 0; i < Math.ceil(n / cols); i++) {
        const idx = i * cols + k;
        if (idx >= n || this.count[idx] !== 0) continue;
        this.isFree[idx] = 1;
        this.pushFree(idx);
      }
  }

  private markInit(s: number): void {
    const c = (s / SWAPFILE_CLUSTER) | 0;
    this.arr(c)[s % SWAPFILE_CLUSTER] = HELD;
    this.count[c]++;
  }

  protected arr(c: number): Int32Array {
    let a = this.map[c];
    if (a === null) {
      a = new Int32Array(SWAPFILE_CLUSTER).fill(FREE);
      this.map[c] = a;
    }
    return a;
  }

  private pushFree(c: number): void {
    this.freeRing[(this.freeHead + this.freeLen) % this.nClusters] = c;
    this.freeLen++;
  }

  protected freeFirst(): number {
    return this.freeLen === 0 ? -1 : this.freeRing[this.freeHead];
  }

  protected randomInclusive(lo: number, hi: number): number {
    return lo + (this.rng.nextU32() % (hi - lo + 1));
  }

  /** What slot s holds: a page id, or -1 (free, or reserved/freed without a page). */
  pageAt(s: number): number {
    if (s <= 0 || s >= this.max) return -1;
    const a = this.map[(s / SWAPFILE_CLUSTER) | 0];
    const v = a === null ? FREE : a[s % SWAPFILE_CLUSTER];
    return v >= 0 ? v : -1;
  }

  /** Whether slot s is in use in swap_map (a page's, or SWAP_HAS_CACHE in a CPU's caches). */
  used(s: number): boolean {
    const a = this.map[(s / SWAPFILE_CLUSTER) | 0];
    return a !== null && a[s % SWAPFILE_CLUSTER] !== FREE;
  }

  /** Slots in use (si->inuse_pages), the CPUs' cached and not yet returned ones included. */
  inusePages(): number {
    return this.inuse;
  }

  /** swap_entry_free: swap_map 0, dec_cluster_info_page, swap_range_free. */
  protected entryFree(s: number): void {
    const ci = (s / SWAPFILE_CLUSTER) | 0;
    this.arr(ci)[s % SWAPFILE_CLUSTER] = FREE;
    if (--this.count[ci] === 0) {
      // free_cluster -> __free_cluster: to the free list's tail; its slots are all free again.
      this.isFree[ci] = 1;
      this.pushFree(ci);
      this.map[ci] = null;
    }
    if (s < this.lowestBit) this.lowestBit = s;
    if (s > this.highestBit) this.highestBit = s;
    this.inuse--;
  }

  /** swap_map[offset] == 0 */
  protected isFreeSlot(s: number): boolean {
    const a = this.map[(s / SWAPFILE_CLUSTER) | 0];
    return a === null || a[s % SWAPFILE_CLUSTER] === FREE;
  }

  /** swap_map[offset] = SWAP_HAS_CACHE; inc_cluster_info_page (alloc_cluster on a free one); swap_range_alloc. */
  protected take(offset: number): void {
    const ci = (offset / SWAPFILE_CLUSTER) | 0;
    if (this.isFree[ci] === 1) {
      // alloc_cluster: VM_BUG_ON(cluster_list_first(&si->free_clusters) != idx).
      if (this.freeFirst() !== ci) throw new Error(`swap cluster ${ci} allocated while not at the free list's head`);
      this.isFree[ci] = 0;
      this.freeHead = (this.freeHead + 1) % this.nClusters;
      this.freeLen--;
    }
    this.arr(ci)[offset % SWAPFILE_CLUSTER] = HELD;
    this.count[ci]++;
    if (offset === this.lowestBit) this.lowestBit++;
    if (offset === this.highestBit) this.highestBit--;
    this.inuse++;
    if (this.inuse === this.pages) {
      this.lowestBit = this.max;
      this.highestBit = 0;
    }
  }
}
