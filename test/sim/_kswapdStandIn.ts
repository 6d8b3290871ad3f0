/**
 * A stand-in node for kswapd's unit tests (kswapdIteration, kswapdNap): one MGLRU lruvec of 12,800 pages,
 * 6,400 of them inactive, on a host with min 20, low 40, high 100 and 40 free. Each shrinkNode step frees
 * one frame in 100 ns and counts `scanPerStep` folios scanned and `isolatePerStep` isolated. The log keeps
 * the frees, balance_pgdat's call ends (frees and virtual time after each kswapd_shrink_node call) and
 * wakeup_kswapd's count.
 */
import { HostFrames } from '../../engine/core/mm/hostFrames.ts';
import { Kswapd } from '../../engine/core/mm/kswapd.ts';
import type { Pgdat } from '../../engine/core/mm/pgdat.ts';
import { CTL_FREE_FRAMES, CTL_WORDS } from '../../engine/core/sim/simLayout.ts';

export function kswapdStandIn(scanPerStep = 1, isolatePerStep = 1) {
  const control = new Int32Array(CTL_WORDS);
  control[CTL_FREE_FRAMES] = 40;
  const host = new HostFrames(control, 100_000, 20, 40, 100);
  const scan = { foliosScanned: 0, foliosIsolated: 0, inactiveGens: (): number => 6_400 };
  const policy = { size: (): number => 12_800, wantsAging: (): boolean => false, lruGenScan: () => scan };
  const log = { frees: 0, shrunk: [] as number[], callEnds: [] as number[], wakeups: 0 };
  const pg = {
    kswapdTask: null,
    kswapdFailures: 0,
    lruvecPolicies: [policy],
    lruvecs: [],
    lruFlag: false,
    deferredVictim: -1,
    deferredEnd: -1,
    lastEvicted: 0,
    lastFreed: 0,
    scanAgain: false,
    shrinkNode(t: number): number {
      scan.foliosScanned += scanPerStep;
      scan.foliosIsolated += isolatePerStep;
      this.lastEvicted = 1;
      this.lastFreed = 1;
      host.put(1);
      log.frees++;
      return t + 100;
    },
    kswapdSleeps(): void {},
    kswapdShrunk(t: number): void {
      log.shrunk.push(log.frees); // balance_pgdat after a kswapd_shrink_node call: the frees so far
      log.callEnds.push(t); // and the call's end in virtual time
    },
    snapshotRefaults(): void {},
    countWakeup(): void {
      log.wakeups++;
    },
    kswapdShare: (): number => 1,
  };
  const k = new Kswapd(pg as unknown as Pgdat, host);
  return { k, host, log };
}
