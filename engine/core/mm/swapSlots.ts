/**
 * Swap slot allocation on a solid-state swap device, as Linux 6.2-6.9 does it (the seed series ran on
 * 6.2/6.4): mm/swap_slots.c's per-CPU slot cache over mm/swapfile.c's per-CPU clusters.
 *
 * - folio_alloc_swap (swap_slots.c) takes the next entry of this CPU's swap_slots_cache; an empty cache
 *   is refilled by refill_swap_slots_cache -> get_swap_pages(SWAP_SLOTS_CACHE_SIZE) -> scan_swap_map_slots,
 *   which hands out up to 64 slots in one call, in order. Without a cache entry (swap nearly full) it
 *   asks get_swap_pages(1) itself.
 * - scan_swap_map_slots on an SSD (SWP_SOLIDSTATE: si->cluster_info exists) takes each slot with
 *   scan_swap_map_try_ssd_cluster from this CPU's percpu_cluster: the first free slot at or after the
 *   cluster's `next`; a used-up cluster is dropped and the head of si->free_clusters becomes the CPU's
 *   cluster (cluster_is_null -> free_clusters.head). alloc_cluster takes a cluster off the free list
 *   when its first slot is allocated (inc_cluster_info_page). So one CPU's consecutive swap-outs fill
 *   its own cluster in slot order, whoever else swaps out meanwhile.
 * - With no free cluster left, try_ssd_cluster fails and scan_swap_map_slots scans si->swap_map linearly
 *   from the CPU's cluster_next_cpu (the `scan:` label: up to highest_bit, then from lowest_bit), a
 *   found slot going through the `checks:` label, where scan_swap_map_ssd_cluster_conflict refuses a
 *   slot in a free cluster other than the free list's head. After each call set_cluster_next moves
 *   cluster_next_cpu past the last slot, and to a random swap address space (16,384 slots) when it
 *   would cross into the next one (get_random_u32_inclusive: drawn here from a seeded Prng).
 * - Freeing: swap_free -> __swap_entry_free -> free_swap_slot puts the entry in the freeing CPU's
 *   slots_ret (the slot stays SWAP_HAS_CACHE, unavailable); when 64 are there, swapcache_free_entries
 *   frees them (swap_entry_free: swap_map 0, dec_cluster_info_page, swap_range_free). A cluster whose
 *   count reaches 0 goes to the tail of si->free_clusters (free_cluster -> __free_cluster; no discard:
 *   swapon without --discard).
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
 * Not modelled: the cache's activation thresholds (check_cache_active: active above 5 x 64 free slots
 * per online CPU, off below 2 x 64; the config has no host CPU count, and every preset's device has far
 * more free slots: the cache is always active here); vm_swap_full()'s reclaim of SWAP_HAS_CACHE-only
 * slots (__try_to_reclaim_swap finds no swap-cache folio for the lab's cached-but-unused entries, so it
 * would free nothing); THP swap-out (swap_alloc_cluster); several swap devices and their priorities.
 *
 * Memory: the page id of each slot lives in a 512-entry array per cluster in use (dropped when the
 * cluster is free again): 4 bytes per slot of the clusters holding swapped-out pages.
 */
import { MAX_VCPUS } from '../config/limits.ts';
import { Prng } from '../sim/prng.ts';

/** SWAPFILE_CLUSTER with CONFIG_THP_SWAP: HPAGE_PMD_NR (4 KiB pages) slots per cluster. */
export const SWAPFILE_CLUSTER = 512;
/** SWAP_SLOTS_CACHE_SIZE = SWAP_BATCH: entries per CPU cache refill, and per slots_ret flush. */
export const SWAP_SLOTS_CACHE_SIZE = 64;
/** SWAP_ADDRESS_SPACE_PAGES = 1 << SWAP_ADDRESS_SPACE_SHIFT (14). */
export const SWAP_ADDRESS_SPACE_PAGES = 1 << 14;
/** LATENCY_LIMIT (mm/swapfile.c): slots scan_swap_map_slots looks at before taking a break. */
const LATENCY_LIMIT = 256;
/** SWAP_CLUSTER_COLS for SWAPFILE_CLUSTER 512 (see the file comment). */
const SWAP_CLUSTER_COLS = Math.max(8, SWAP_ADDRESS_SPACE_PAGES / SWAPFILE_CLUSTER);

/** The CPU kswapd runs on (a reclaimer's CPU, see cpuOfVcpu). */
export const KSWAPD_CPU = 0;
/**
 * The CPU a vCPU thread swaps out and frees slots on: one of its own (guest index, vCPU index). An
 * estimate: the lab does not model host scheduling, so each vCPU thread and kswapd stay on CPUs of
 * their own (with as many host CPUs as vCPUs, as in the seed's 64-vCPU runs, that is where they run).
 */
export function cpuOfVcpu(guest: number, vi: number): number {
  return 1 + guest * MAX_VCPUS + vi;
}

/** swap_map states besides a page id (>= 0). */
const FREE = -1;
/** SWAP_HAS_CACHE with no page: reserved in a CPU's slot cache, or freed into its slots_ret. */
const HELD = -2;

class PerCpu {
  /** percpu_cluster->index (-1: null) and ->next. */
  cluster = -1;
  next = 0;
  /** cluster_next_cpu (set lazily: its swapon value is random). */
  nextCpu = -1;
  /** swap_slots_cache: slots[cur .. cur + nr). */
  readonly slots = new Int32Array(SWAP_SLOTS_CACHE_SIZE);
  cur = 0;
  nr = 0;
  /** slots_ret[0 .. nRet). */
  readonly ret = new Int32Array(SWAP_SLOTS_CACHE_SIZE);
  nRet = 0;
}

export class SwapSlots {
  /** si->max: slots on the device, the header included. */
  readonly max: number;
  /** si->pages: usable slots. */
  readonly pages: number;
  private lowestBit: number;
  private highestBit: number;
  private inuse = 0;
  private readonly nClusters: number;
  /** cluster_count per cluster. */
  private readonly count: Int32Array;
  /** CLUSTER_FLAG_FREE per cluster (on si->free_clusters). */
  private readonly isFree: Uint8Array;
  /** si->free_clusters: a FIFO ring (taken at the head only: alloc_cluster; added at the tail). */
  private readonly freeRing: Int32Array;
  private freeHead = 0;
  private freeLen = 0;
  /** Page id (or FREE / HELD) per slot, one array per cluster in use; null: every slot free. */
  private readonly map: (Int32Array | null)[];
  private readonly cpus = new Map<number, PerCpu>();
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

  private arr(c: number): Int32Array {
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

  private freeFirst(): number {
    return this.freeLen === 0 ? -1 : this.freeRing[this.freeHead];
  }

  private cpu(cpu: number): PerCpu {
    let c = this.cpus.get(cpu);
    if (c === undefined) {
      c = new PerCpu();
      this.cpus.set(cpu, c);
    }
    // swapon: get_random_u32_inclusive(1, highest_bit) with the device empty (highest_bit = max - 1);
    // drawn when the CPU first allocates or frees, which keeps the draws in a deterministic order.
    if (c.nextCpu < 0) c.nextCpu = this.randomInclusive(1, this.max - 1);
    return c;
  }

  private randomInclusive(lo: number, hi: number): number {
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

  /**
   * folio_alloc_swap for page `id` on CPU `cpu`: its slot, or -1 when the device is full (get_swap_pages
   * finds nothing).
   */
  alloc(id: number, cpu: number): number {
    const c = this.cpu(cpu);
    if (c.nr === 0) {
      // refill_swap_slots_cache
      c.cur = 0;
      c.nr = this.getSwapPages(SWAP_SLOTS_CACHE_SIZE, c, c.slots);
    }
    let s: number;
    if (c.nr > 0) {
      s = c.slots[c.cur++];
      c.nr--;
    } else {
      const one = new Int32Array(1);
      if (this.getSwapPages(1, c, one) === 0) return -1;
      s = one[0];
    }
    this.arr((s / SWAPFILE_CLUSTER) | 0)[s % SWAPFILE_CLUSTER] = id;
    return s;
  }

  /**
   * swap_free of slot s by CPU `cpu` (the count dropped to 0): free_swap_slot keeps it in the CPU's
   * slots_ret, and a full slots_ret is returned first (swapcache_free_entries).
   */
  free(s: number, cpu: number): void {
    if (s <= 0 || s >= this.max) return;
    const c = this.cpu(cpu);
    this.arr((s / SWAPFILE_CLUSTER) | 0)[s % SWAPFILE_CLUSTER] = HELD;
    if (c.nRet >= SWAP_SLOTS_CACHE_SIZE) {
      for (let i = 0; i < c.nRet; i++) this.entryFree(c.ret[i]);
      c.nRet = 0;
    }
    c.ret[c.nRet++] = s;
  }

  /** swap_entry_free: swap_map 0, dec_cluster_info_page, swap_range_free. */
  private entryFree(s: number): void {
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

  /** get_swap_pages(n_goal) with one device: at most the free slots; scan_swap_map_slots. */
  private getSwapPages(nGoal: number, c: PerCpu, out: Int32Array): number {
    const avail = this.pages - this.inuse;
    if (avail <= 0 || this.highestBit === 0) return 0;
    return this.scan(Math.min(nGoal, SWAP_SLOTS_CACHE_SIZE, avail), c, out);
  }

  /** swap_map[offset] == 0 */
  private isFreeSlot(s: number): boolean {
    const a = this.map[(s / SWAPFILE_CLUSTER) | 0];
    return a === null || a[s % SWAPFILE_CLUSTER] === FREE;
  }

  /**
   * scan_swap_map_try_ssd_cluster: the next free slot of the CPU's cluster (a new one from the free
   * list when it has none), or -1 when no free cluster is left.
   */
  private tryCluster(c: PerCpu): number {
    for (;;) {
      if (c.cluster < 0) {
        const head = this.freeFirst();
        if (head < 0) return -1;
        c.cluster = head;
        c.next = head * SWAPFILE_CLUSTER;
      }
      let tmp = c.next;
      const max = Math.min(this.max, (c.cluster + 1) * SWAPFILE_CLUSTER);
      while (tmp < max && !this.isFreeSlot(tmp)) tmp++;
      if (tmp >= max) {
        c.cluster = -1;
        continue;
      }
      c.next = tmp + 1;
      return tmp;
    }
  }

  /** scan_swap_map_ssd_cluster_conflict: offset lies in a free cluster other than the list's head. */
  private conflict(c: PerCpu, offset: number): boolean {
    const ci = (offset / SWAPFILE_CLUSTER) | 0;
    const head = this.freeFirst();
    if (!(head >= 0 && ci !== head && this.isFree[ci] === 1)) return false;
    c.cluster = -1;
    return true;
  }

  /**
   * scan_swap_map_slots(si, SWAP_HAS_CACHE, nr, slots) for an SSD, label for label (checks / done /
   * scan / no_page). Returns how many slots it put in `out`.
   */
  private scan(nr: number, c: PerCpu, out: Int32Array): number {
    let nRet = 0;
    let latency = LATENCY_LIMIT;
    let scannedMany = false;
    let scanBase = c.nextCpu;
    let offset = scanBase;
    let label: 'checks' | 'scan' = 'checks';
    const t = this.tryCluster(c);
    if (t < 0) label = 'scan';
    else offset = scanBase = t;
    for (;;) {
      if (label === 'scan') {
        // The linear scan (si->lock dropped in the kernel): up to highest_bit, then lowest_bit..scan_base.
        let found = false;
        while (++offset <= this.highestBit) {
          if (--latency < 0) {
            latency = LATENCY_LIMIT;
            scannedMany = true;
          }
          if (this.isFreeSlot(offset)) {
            found = true;
            break;
          }
        }
        if (!found) {
          offset = this.lowestBit;
          while (offset < scanBase) {
            if (--latency < 0) {
              latency = LATENCY_LIMIT;
              scannedMany = true;
            }
            if (this.isFreeSlot(offset)) {
              found = true;
              break;
            }
            offset++;
          }
        }
        if (!found) return nRet; // no_page
        label = 'checks';
      }
      // checks:
      let toScan = false;
      while (this.conflict(c, offset)) {
        if (nRet > 0) return this.done(c, offset, nRet);
        const t2 = this.tryCluster(c);
        if (t2 < 0) {
          toScan = true;
          break;
        }
        offset = scanBase = t2;
      }
      if (toScan) {
        label = 'scan';
        continue;
      }
      if (this.highestBit === 0) return nRet; // no_page
      if (offset > this.highestBit) scanBase = offset = this.lowestBit;
      if (!this.isFreeSlot(offset)) {
        if (nRet === 0) {
          label = 'scan';
          continue;
        }
        return this.done(c, offset, nRet);
      }
      this.take(offset);
      out[nRet++] = offset;
      if (nRet === nr || offset >= this.highestBit) return this.done(c, offset, nRet);
      if (--latency < 0) {
        if (nRet > 0) return this.done(c, offset, nRet);
        latency = LATENCY_LIMIT;
      }
      const t3 = this.tryCluster(c);
      if (t3 >= 0) {
        offset = scanBase = t3;
        continue; // checks
      }
      if (!scannedMany) {
        const limit = offset < scanBase ? scanBase : this.highestBit;
        let found = false;
        for (; offset <= limit && --latency > 0; offset++) {
          if (this.isFreeSlot(offset)) {
            found = true;
            break;
          }
        }
        if (found) continue; // checks
      }
      return this.done(c, offset, nRet);
    }
  }

  /** swap_map[offset] = SWAP_HAS_CACHE; inc_cluster_info_page (alloc_cluster on a free one); swap_range_alloc. */
  private take(offset: number): void {
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

  /** done: set_cluster_next(si, offset + 1). */
  private done(c: PerCpu, offset: number, nRet: number): number {
    let next = offset + 1;
    const prev = c.nextCpu;
    if (prev >> 14 !== next >> 14) {
      if (this.highestBit <= this.lowestBit) return nRet;
      next = this.randomInclusive(this.lowestBit, this.highestBit);
      next -= next % SWAP_ADDRESS_SPACE_PAGES;
      next = Math.max(next, this.lowestBit);
    }
    c.nextCpu = next;
    return nRet;
  }
}
