/**
 * The swap device's latency on a refault (do_swap_page -> swap_read_folio): zram decompresses on the
 * faulting CPU (the hardware profile's `swapIn`, a per-CPU figure), an SSD is a block-device read the
 * faulting vCPU waits for. Swap-out (pageout -> swap_writepage) is charged the profile's `swapOut` for
 * either device: for an SSD the kernel's writeback is asynchronous and the reclaimer's own cost is the
 * submission, which the lab does not model separately (a stated simplification).
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { C_SWAP_IN } from '../sim/costs.ts';

/**
 * NVMe 4 KiB random read as seen by a swap-in: estimate, 90 us. Datacenter NVMe SSDs (TLC NAND) read
 * 4 KiB at roughly 80-100 us; the hardware profiles' own swapIn note gives the same range. Not a
 * per-CPU figure, so it lives here rather than in each profile.
 */
export const SSD_SWAP_IN_NS = 90_000;

/** Virtual ns a refault waits for its page to come back from the host's swap device. */
export function swapInNs(config: ScenarioConfig, costs: Float64Array): number {
  return config.host.swap.device === 'ssd' ? SSD_SWAP_IN_NS : costs[C_SWAP_IN];
}
