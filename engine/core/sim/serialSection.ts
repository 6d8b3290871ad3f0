/**
 * Between quanta, in exactly one worker (the barrier's last arriver, simCore.ts; or runInterleaved's
 * stepping, run.ts): the serial section. It folds the workers' counters, samples rows, settles the
 * min watermark (spreadSettle.ts), decides the end of the run and sets the next quantum end; the rows
 * and progress it produces are handed to the sink later (publish), outside the barrier.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import type { ArenaViews } from '../layout.ts';
import { controlAtomics } from '../sync/atomics.ts';
import { precisionGrid, sampleRow, type PrecisionGrid } from './metrics.ts';
import type { RunPlan } from './plan.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import {
  foldWorkerCounters,
  CTL_DONE,
  CTL_ROWS,
  CTL_STOP,
  CTL_STOPPED,
  GS_CLOCK_MAX,
  GS_VCPUS_DONE,
  GS_WORDS,
  TIME_NEXT_SAMPLE,
  TIME_NOW,
  TIME_PREV_T,
  TIME_QUANTUM_END,
  type SimBuffers,
  type SimViews,
} from './simLayout.ts';
import { settleMinWatermark, type SpreadSettlement } from './spreadSettle.ts';

/** Where the serial section sends its output (postMessage in a worker, arrays in-process). */
export interface SimSink {
  rows(startRow: number, rows: Float64Array[]): void;
  progress(virtualNs: number): void;
  /** Optional: stage-2 heat-map columns of this worker's guests (heatmap.ts); no sampling without it. */
  heat?(guest: number, tMs: number, cells: Uint8Array): void;
  /**
   * Optional: a wall clock in ms (the worker's Date.now). With it, a one-worker run skips the barrier and
   * serial section of a quantum that has nothing for them but progress (loop, quietQuantum), and still
   * runs them at least every QUIET_MAX_MS of wall time, so progress reaches the UI at its batch rate.
   * Without it (in-process callers, tests), every quantum ends at the barrier, as before.
   */
  wallMs?(): number;
  /**
   * Optional: this worker is about to wait on a pause, its virtual time at its last serial section being
   * `virtualNs`. A host that coalesces rows and progress posts what is pending now: a pause asked for
   * between the serial section's progress and this wait would otherwise hold them until resume.
   */
  parked?(virtualNs: number): void;
}

/**
 * The quantum after the one ending at qEnd (serial section; quietQuantum): a multiple of quantumNs, at most endNs.
 * k is made a double (k + DOUBLE_ZERO, same value: k >= 1) before the product: as two small integers
 * (quantumNs is 1e6 after the structured clone) `k * quantumNs` was compiled as a small-integer
 * multiply, which overflowed at 2^31 ns (2.147 s virtual) and deoptimized nextQuantumEnd and the
 * quantum / quietQuantum code it is inlined in, each then compiled again (node --trace-deopt,
 * reason "overflow", in every replay longer than 2.147 s virtual: the bench's ×50).
 */
export function nextQuantumEnd(plan: RunPlan, qEnd: number): number {
  const k = Math.round(qEnd / plan.quantumNs) + 1 + DOUBLE_ZERO;
  return Math.min(k * plan.quantumNs, plan.endNs);
}

/** One worker's serial section: what it reads and the rows and progress it has not yet handed to the sink. */
export class SerialSection {
  private readonly grid: PrecisionGrid;
  /** Scratch: frame takes per guest in the quantum (settleMinWatermark). */
  private readonly takes: Float64Array;
  /** Rows (from CTL_ROWS on) and the virtual time of the last serial section, not yet handed to the sink. */
  private pendingRows: Float64Array[] = [];
  private pendingStart = 0;
  private pendingNs = -1;
  /** One-worker runs with a wall clock (quiet): wall ms of the last serial section (simCore.ts quietQuantum). */
  lastSerialMs = DOUBLE_ZERO;

  constructor(
    private readonly config: ScenarioConfig,
    private readonly plan: RunPlan,
    private readonly buffers: SimBuffers,
    /** This worker's views (settleMinWatermark's counters: parallel runs without spread, where they are shared). */
    private readonly sv: SimViews,
    /**
     * The shared counters' views (worker 0's `sv`): what the serial section samples and settles. Before,
     * a spread run's worker 1, when last at the barrier, sampled its private counters just after the fold
     * had zeroed them (a row of zeros, the next row all of both quanta's counts) and moved the
     * settlement's GS_S2_FAULTS_AT_BARRIER in its private copy (folded into the shared word later).
     */
    private readonly shared: SimViews,
    private readonly arena: ArenaViews,
    private readonly totalVcpus: number,
    private readonly sink: SimSink,
    /** One-worker runs with a wall clock (SimSink.wallMs): lastSerialMs is kept. */
    private readonly quiet: boolean,
    /** Spread runs: the (guest, worker) settlement; null otherwise. */
    private readonly spread: SpreadSettlement | null,
  ) {
    this.grid = precisionGrid(config);
    this.takes = new Float64Array(config.guests.length);
  }

  /**
   * Hands the last serial section's rows and progress to the sink. The barrier's last arriver calls it
   * after the barrier, at the start of its next quantum (or when the loop ends or parks), not inside the
   * serial section: there every other worker waits, and the sink's work (the event batch's clock read
   * and checks, and every ~50 ms a postMessage of the rows) was ~half of the serial section's CPU
   * (bench/_profileSpread.ts, 4 guests, 2 workers: `progress` 15-44 ms of 40-78 ms per worker). The rows
   * are copies made in the serial section and the row numbers were taken there (CTL_ROWS), so what is
   * posted and in which order is unchanged; it reaches the host one quantum's work later at most.
   */
  publish(): void {
    if (this.pendingNs < 0) return;
    if (this.pendingRows.length > 0) {
      this.sink.rows(this.pendingStart, this.pendingRows);
      this.pendingRows = [];
    }
    const now = this.pendingNs;
    this.pendingNs = -1;
    this.sink.progress(now);
  }

  /**
   * The serial section itself: the fold, sample rows (held for publish), progress time, the settlement,
   * end of run or the next quantum end (set last: the other workers leave the barrier on it).
   */
  run(): void {
    const { plan, config } = this;
    const sv = this.shared;
    const t = sv.time;
    const c = sv.control;
    const guests = config.guests.length;
    const qEnd = t[TIME_QUANTUM_END];
    // Spread runs: each (guest, worker)'s faults of the quantum, read before the fold merges them.
    const spreadSettle = plan.spread && !config.run.demandOnly;
    if (spreadSettle) (this.spread as SpreadSettlement).collectSpreadTakes();
    foldWorkerCounters(this.buffers); // spread runs: the vCPU workers' counters into the shared ones
    let vDone = 0;
    let clockMax = 0;
    for (let g = 0; g < guests; g++) {
      vDone += sv.stats[g * GS_WORDS + GS_VCPUS_DONE];
      clockMax = Math.max(clockMax, sv.stats[g * GS_WORDS + GS_CLOCK_MAX]);
    }
    const allDone = vDone >= this.totalVcpus;
    const stop = controlAtomics.load(c, CTL_STOP) === 1;
    // Stopped: the quantum may have been cut short (runUntil), so time is what the vCPUs reached.
    const now = allDone || stop ? Math.min(clockMax, qEnd) : qEnd;
    const finished = allDone || stop || qEnd >= plan.endNs;
    const rows: Float64Array[] = [];
    while (t[TIME_NEXT_SAMPLE] <= now) {
      rows.push(sampleRow(sv, this.arena, guests, t[TIME_NEXT_SAMPLE], this.grid));
      t[TIME_NEXT_SAMPLE] += plan.sampleNs;
    }
    if (finished && t[TIME_PREV_T] < now) rows.push(sampleRow(sv, this.arena, guests, now, this.grid)); // partial last row
    if (rows.length > 0) {
      const start = c[CTL_ROWS];
      c[CTL_ROWS] = start + rows.length;
      this.pendingStart = start;
      this.pendingRows = rows;
    }
    t[TIME_NOW] = now;
    if (spreadSettle) (this.spread as SpreadSettlement).settleBudgets(sv);
    else if (plan.workers > 1 && !config.run.demandOnly) settleMinWatermark(config, plan, this.sv, this.takes);
    this.pendingNs = now;
    if (this.quiet) this.lastSerialMs = this.sink.wallMs?.() ?? 0;
    if (finished) {
      if (stop && !allDone && qEnd < plan.endNs) c[CTL_STOPPED] = 1;
      controlAtomics.store(c, CTL_DONE, 1);
    } else t[TIME_QUANTUM_END] = nextQuantumEnd(plan, qEnd);
  }
}
