/**
 * The swap device as reclaim and refaults see it.
 *
 * Swap-in (do_swap_page -> swap_read_folio): zram decompresses on the faulting CPU (the hardware
 * profile's `swapIn`, a per-CPU figure); an SSD is a block-device read the faulting vCPU waits for.
 *
 * Swap-out (shrink_folio_list -> add_to_swap, pageout -> swap_writepage -> __swap_writepage): zram
 * compresses inside submit_bio (zram_submit_bio -> zram_write_page), in the reclaimer's context, so
 * the reclaimer pays the profile's `swapOut`. An SSD write is asynchronous: the reclaimer allocates the
 * swap slot, adds the folio to the swap cache and submits the bio, then goes on; the device writes
 * meanwhile. The folio keeps its frame, unmapped, in the swap cache under PG_writeback (shrink_folio_list
 * puts it back: activate_locked / MGLRU's sort_folio moves a writeback folio on); folio_end_writeback ->
 * folio_rotate_reclaimable puts the written, clean folio at the LRU tail, and the next reclaim pass
 * frees it there (__remove_mapping, no rmap walk, no write). The lab keeps the folio off its LRU while in
 * flight (reclaim would only skip it) with its completion time (SwapArea.writeback), and frees it when a
 * reclaim pass (Pgdat.shrinkNode) starts at or after that time: the rotated folios are the first it meets.
 * A guest touch before the free finds the folio in the swap cache: a minor fault that reads nothing and,
 * for shmem, waits for the write (shmem_swapin_folio's folio_wait_writeback; private anon's do_swap_page
 * maps it at once: mm/swapIn.ts). Each write takes the device's latency on its own: the device's bandwidth
 * and queue are not modelled.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { C_SWAP_IN, C_SWAP_OUT } from '../sim/costs.ts';

/**
 * NVMe 4 KiB random read as seen by a swap-in, host.swap.ssd 'tlc-nand' (the default): estimate, 90 us. Datacenter NVMe SSDs (TLC NAND) read
 * 4 KiB at roughly 80-100 us; the hardware profiles' own swapIn note gives the same range. Not a
 * per-CPU figure, so it lives here rather than in each profile.
 */
export const SSD_SWAP_IN_NS = 90_000;

/**
 * Intel Optane SSD DC P5800X (3D XPoint; model string INTEL SSDPF21Q800GB = the 800 GB part) 4 KiB random
 * read at queue depth 1, one thread: measured, 13.4 us = 1 / 74,875 IOPS (KitGuru's P5800X 800 GB review,
 * kitguru.net/components/ssd-drives/simon-crisp/intel-optane-dc-p5800x-800gb-ssd-review/7: the host's I/O
 * stack of that test included, as a swap-in's submit_bio -> completion includes the kernel's). The
 * previous generation on Linux fio: P4800X QD1 mean 8.9 us (AnandTech 11209, page 4). It is the swap
 * device (/dev/nvme0n1p2) of the seed series' benchmark hosts: `cat /sys/class/nvme/nvme0/model` prints
 * INTEL SSDPF21Q800GB on the arm64 host (lore 20230609005935.42390-1-yuzhao@google.com), the POWER9 one
 * (20230609005940.42722-1-yuzhao@google.com) and the x86 one. A multi-page readahead read adds
 * SSD_READ_PAGE_NS per extra page for either model (mm/swapReadahead.ts), and writes keep
 * SSD_SWAP_WRITE_NS: both estimates, unchanged (the Optane would be faster; not measured here).
 */
export const OPTANE_P5800X_READ_NS = 13_400;

/** A block swap device's 4 KiB read latency by model (host.swap.ssd; absent: 'tlc-nand'). */
export function ssdReadLatencyNs(config: ScenarioConfig): number {
  return config.host.swap.ssd === 'optane-p5800x' ? OPTANE_P5800X_READ_NS : SSD_SWAP_IN_NS;
}

/** Virtual ns a refault waits for its page to come back from the host's swap device. */
export function swapInNs(config: ScenarioConfig, costs: Float64Array): number {
  return config.host.swap.device === 'ssd' ? ssdReadLatencyNs(config) : costs[C_SWAP_IN];
}

/**
 * The reclaimer's own cost of sending one 4 KiB page to an SSD: estimate, 2 us. add_to_swap
 * (folio_alloc_swap from the per-CPU swap-slot cache, the swap-cache xarray insert, a few hundred ns)
 * plus swap_writepage -> submit_bio through blk-mq to the NVMe submission queue: block-layer
 * submission costs about 0.5-1 us of CPU per I/O (io_uring and fio per-core IOPS figures of 1-2 M
 * with interrupts imply this), with the bio and swap-map bookkeeping around it. The completion
 * interrupt runs later on some CPU and is not charged to the reclaimer.
 */
export const SSD_SWAP_OUT_SUBMIT_NS = 2_000;

/** Virtual ns the reclaimer spends sending one page to the host's swap device (see the file comment). */
export function swapOutNs(config: ScenarioConfig, costs: Float64Array): number {
  return config.host.swap.device === 'ssd' ? SSD_SWAP_OUT_SUBMIT_NS : costs[C_SWAP_OUT];
}

/**
 * NVMe 4 KiB random write latency, submission to completion interrupt: estimate, 20 us. Datacenter NVMe
 * SSDs acknowledge a write once it is in their power-loss-protected DRAM buffer, so a write completes well
 * before a NAND read (SSD_SWAP_IN_NS, 90 us); their datasheets quote typical 4 KiB write latencies of
 * roughly 15-30 us (e.g. Intel's DC P4510 product brief: 18 us write vs 77 us read, quoted from memory,
 * not re-checked here). Sustained random writes past the buffer would be slower; not modelled.
 */
export const SSD_SWAP_WRITE_NS = 20_000;
