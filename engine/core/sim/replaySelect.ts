/**
 * When a run takes the trace-replay fast path (replay.ts), and the swap of its vCPU for a
 * TraceReplay. The runner (engine/host/workerMain.ts, run.ts) calls selectReplay after building
 * the worker's actors, before the first quantum.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import type { Actor } from './actor.ts';
import type { RunPlan } from './plan.ts';
import { TraceReplay } from './replay.ts';
import { VCpu } from './vcpu.ts';

/** Whether a run may replay on the fast path (replay.ts's file comment: what one agent lets it skip). */
export function replayEligible(config: ScenarioConfig, plan: RunPlan): boolean {
  if (plan.workers !== 1 || config.guests.length !== 1) return false;
  const g = config.guests[0];
  return (
    g.vcpus === 1 &&
    g.workload.kind === 'trace' &&
    !g.protected &&
    // The replay's copy of the fault path has no swap readahead (mm/swapReadahead.ts): zram only.
    config.host.swap.device !== 'ssd' &&
    config.run.demandOnly &&
    // The replay's copy of the unmap charges arm64's TLBIs, not x86's IPI flush (kvm/remoteTlbFlush.ts).
    config.hardware.remoteTlbFlush !== 'ipi-kick' &&
    !config.reclaim.tlb.enabled &&
    // The fast path keeps no operation latencies (vcpu.ts endOp).
    !g.workload.opAccesses
  );
}

/**
 * Replace the run's only VCpu in `actors` by a TraceReplay when the run is eligible. Returns
 * whether it did. Call before the first quantum (the vCPU's state is taken over as it is).
 */
export function selectReplay(actors: Actor[], config: ScenarioConfig, plan: RunPlan): boolean {
  if (!replayEligible(config, plan)) return false;
  const i = actors.findIndex((a) => a instanceof VCpu);
  if (i < 0 || actors.some((a, j) => j !== i && !a.done)) return false;
  actors[i] = new TraceReplay(actors[i] as VCpu, config);
  return true;
}
