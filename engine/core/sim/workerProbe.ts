/**
 * Bench/diagnostics: where one worker's time goes (probe.ts), the scheduler's side. A worker with a probe
 * attached (attachProbe) counts its kswapd steps and their wall time, and runUntilCounted adds each
 * quantum's accesses, faults, evictions, direct reclaims and steps to the probe's row; SimWorkerCore
 * (simCore.ts, which extends this class) reads the clocks around each part of a quantum (probedQuantum)
 * and the serial section (barrier). Every ordinary run has no probe: nothing here runs.
 * No kernel counterpart: a simulator instrument.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { Kswapd } from '../mm/kswapd.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import {
  P_ACCESSES,
  P_ACTORS,
  P_DIRECT_RECLAIM,
  P_EVICTIONS,
  P_QUANTA,
  P_S2_FAULTS,
  P_VCPUS,
  PQ_ACCESSES,
  PQ_CPU_MS,
  PQ_DIRECT_RECLAIM,
  PQ_KSWAPD_STEPS,
  PQ_KSWAPD_WALL_MS,
  PQ_STEPS,
  PQ_EVICTIONS,
  PQ_S2_FAULTS,
  pqAt,
  type ProbeClocks,
} from './probe.ts';
import { ActorScheduler } from './scheduler.ts';
import { GS_ACCESSES, GS_DIRECT_RECLAIM, GS_EVICTIONS, GS_S2_FAULTS, GS_WORDS } from './simLayout.ts';
import { VCpu } from './vcpu.ts';

export class ProbedScheduler extends ActorScheduler {
  /** The run's scenario (SimWorkerCore's constructor parameter): its guest count. */
  declare readonly config: ScenarioConfig;
  /** Bench/diagnostics: this worker's row of a probe (probe.ts), or null (every ordinary run). */
  protected probe: { row: Float64Array; clocks: ProbeClocks } | null = null;

  /** Bench/diagnostics: record where this worker's time goes into `row` (probe.ts) while loop() runs. */
  attachProbe(row: Float64Array, clocks: ProbeClocks): void {
    this.probe = { row, clocks };
    row[P_VCPUS] = this.actors.filter((a) => a instanceof VCpu).length;
    row[P_ACTORS] = this.actors.length;
    // kswapd's steps and their wall time (PQ_KSWAPD_*): its run, wrapped on the instance, probed runs only.
    // The wrapper calls Kswapd.prototype.run, one function for all runs of a kept worker: a function bound
    // per run was a new call target each run, and the optimized wrapper deoptimized on it ("wrong call
    // target", docs/ARCHITECTURE.md session 16 (m)).
    for (const k of this.actors)
      if (k instanceof Kswapd) {
        k.run = (limit: number): void => {
          const w0 = clocks.wallMs();
          Kswapd.prototype.run.call(k, limit);
          this.kswapdSteps++;
          this.kswapdWallMs += clocks.wallMs() - w0;
        };
      }
  }

  /** Probed runs: kswapd's steps and their wall ms since the worker started (attachProbe). */
  protected kswapdSteps = DOUBLE_ZERO;
  protected kswapdWallMs = DOUBLE_ZERO;

  /** runUntil, adding this worker's work of it to the probe's counters (probe.ts; runInterleaved calls it too). */
  runUntilCounted(end: number): void {
    const row = this.probe?.row;
    if (row === undefined) return this.runUntil(end);
    const st = this.sv.stats;
    const sum = (k: number): number => {
      let x = 0;
      for (let g = 0; g < this.config.guests.length; g++) x += st[g * GS_WORDS + k];
      return x;
    };
    const before = [sum(GS_ACCESSES), sum(GS_S2_FAULTS), sum(GS_EVICTIONS), sum(GS_DIRECT_RECLAIM)];
    const steps0 = this.steps;
    const kSteps0 = this.kswapdSteps;
    const kWall0 = this.kswapdWallMs;
    this.runUntil(end);
    const q = row[P_QUANTA]; // this quantum's slot (probedQuantum counts it after the barrier)
    const last = pqAt(row, PQ_CPU_MS + 1, 0) - pqAt(row, PQ_CPU_MS, 0);
    const add = (total: number, series: number, k: number, gs: number): void => {
      const d = sum(gs) - before[k];
      row[total] += d;
      if (q < last) row[pqAt(row, series, q)] += d;
    };
    add(P_ACCESSES, PQ_ACCESSES, 0, GS_ACCESSES);
    add(P_S2_FAULTS, PQ_S2_FAULTS, 1, GS_S2_FAULTS);
    add(P_EVICTIONS, PQ_EVICTIONS, 2, GS_EVICTIONS);
    add(P_DIRECT_RECLAIM, PQ_DIRECT_RECLAIM, 3, GS_DIRECT_RECLAIM);
    if (q < last) {
      row[pqAt(row, PQ_STEPS, q)] += this.steps - steps0;
      row[pqAt(row, PQ_KSWAPD_STEPS, q)] += this.kswapdSteps - kSteps0;
      row[pqAt(row, PQ_KSWAPD_WALL_MS, q)] += this.kswapdWallMs - kWall0;
    }
  }

  /** The probed serial section's wall and CPU ms (probedQuantum). */
  protected serialWallMs = DOUBLE_ZERO;
  protected serialCpuMs = DOUBLE_ZERO;
}
