/**
 * The swap slot allocator's scan on a solid-state device (mm/swapfile.c, Linux 6.2-6.9): get_swap_pages
 * -> scan_swap_map_slots, with scan_swap_map_try_ssd_cluster (the per-CPU cluster),
 * scan_swap_map_ssd_cluster_conflict and set_cluster_next; and the per-CPU state it and the slot cache
 * (mm/swapSlots.ts) keep. Over the slot map of mm/swapInfo.ts; the base of mm/swapSlots.ts's SwapSlots.
 *
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
 */
import { SWAP_ADDRESS_SPACE_PAGES, SWAP_SLOTS_CACHE_SIZE, SWAPFILE_CLUSTER, SwapInfo } from './swapInfo.ts';

/** LATENCY_LIMIT (mm/swapfile.c): slots scan_swap_map_slots looks at before taking a break. */
const LATENCY_LIMIT = 256;

export class PerCpu {
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

export class SwapScan extends SwapInfo {
  /** get_swap_pages(n_goal) with one device: at most the free slots; scan_swap_map_slots. */
  protected getSwapPages(nGoal: number, c: PerCpu, out: Int32Array): number {
    const avail = this.pages - this.inuse;
    if (avail <= 0 || this.highestBit === 0) return 0;
    return this.scan(Math.min(nGoal, SWAP_SLOTS_CACHE_SIZE, avail), c, out);
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
