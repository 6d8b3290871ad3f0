/**
 * Swap slot allocation on a solid-state swap device, as Linux 6.2-6.9 does it (the seed series ran on
 * 6.2/6.4): mm/swap_slots.c's per-CPU slot cache over mm/swapfile.c's per-CPU clusters.
 *
 * - folio_alloc_swap (swap_slots.c) takes the next entry of this CPU's swap_slots_cache; an empty cache
 *   is refilled by refill_swap_slots_cache -> get_swap_pages(SWAP_SLOTS_CACHE_SIZE) -> scan_swap_map_slots,
 *   which hands out up to 64 slots in one call, in order. Without a cache entry (swap nearly full) it
 *   asks get_swap_pages(1) itself.
 * - Freeing: swap_free -> __swap_entry_free -> free_swap_slot puts the entry in the freeing CPU's
 *   slots_ret (the slot stays SWAP_HAS_CACHE, unavailable); when 64 are there, swapcache_free_entries
 *   frees them (swap_entry_free: swap_map 0, dec_cluster_info_page, swap_range_free). A cluster whose
 *   count reaches 0 goes to the tail of si->free_clusters (free_cluster -> __free_cluster; no discard:
 *   swapon without --discard).
 *
 * The layers below: mm/swapScan.ts (scan_swap_map_slots and the per-CPU clusters) over mm/swapInfo.ts
 * (swap_map, cluster_info, free_clusters: the swapon layout, allocation and freeing of single slots).
 *
 * Not modelled: the cache's activation thresholds (check_cache_active: active above 5 x 64 free slots
 * per online CPU, off below 2 x 64; the config has no host CPU count, and every preset's device has far
 * more free slots: the cache is always active here); vm_swap_full()'s reclaim of SWAP_HAS_CACHE-only
 * slots (__try_to_reclaim_swap finds no swap-cache folio for the lab's cached-but-unused entries, so it
 * would free nothing); THP swap-out (swap_alloc_cluster); several swap devices and their priorities.
 */
import { MAX_VCPUS } from '../config/limits.ts';
import { HELD, SWAP_SLOTS_CACHE_SIZE, SWAPFILE_CLUSTER } from './swapInfo.ts';
import { PerCpu, SwapScan } from './swapScan.ts';

export { SWAP_ADDRESS_SPACE_PAGES, SWAP_SLOTS_CACHE_SIZE, SWAPFILE_CLUSTER } from './swapInfo.ts';

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

export class SwapSlots extends SwapScan {
  private readonly cpus = new Map<number, PerCpu>();

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
}
