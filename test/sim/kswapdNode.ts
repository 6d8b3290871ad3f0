/**
 * A stand-in node for driving mm/kswapd.ts alone (the Pgdat members Kswapd uses): each shrinkNode step
 * evicts and frees `perStep` frames to `host`, 100 ns of kswapd time; `log` counts the steps and the
 * snapshot_refaults calls (with the free count at each).
 */
import type { HostFrames } from '../../engine/core/mm/hostFrames.ts';
import type { Pgdat } from '../../engine/core/mm/pgdat.ts';

export interface KswapdNodeLog {
  shrinks: number;
  snapshots: number[];
}

export function kswapdNode(host: HostFrames, perStep: number): { pg: Pgdat; log: KswapdNodeLog } {
  const log: KswapdNodeLog = { shrinks: 0, snapshots: [] };
  const pg = {
    kswapdTask: null,
    kswapdFailures: 0,
    lruvecPolicies: [],
    lruvecs: [],
    lastEvicted: 0,
    lastFreed: 0,
    scanAgain: false,
    shrinkNode(t: number): number {
      log.shrinks++;
      this.lastEvicted = perStep;
      this.lastFreed = perStep;
      host.put(perStep);
      return t + 100;
    },
    kswapdSleeps(): void {},
    kswapdShrunk(): void {},
    snapshotRefaults(): void {
      log.snapshots.push(host.free());
    },
    countWakeup(): void {},
    kswapdShare: (): number => 1,
  };
  return { pg: pg as unknown as Pgdat, log };
}
