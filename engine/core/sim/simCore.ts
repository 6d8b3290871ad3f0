/**
 * One worker's share of a run: the actors of the guests it owns, run quantum by quantum by the
 * smallest-clock-first scheduler (scheduler.ts, ActorScheduler, which SimWorkerCore extends), and the
 * barrier at which workers meet between quanta. The last worker to arrive runs the serial section
 * (sample rows, progress, end-of-run decision, next quantum end). The probe's counters (bench/diagnostics):
 * workerProbe.ts (ProbedScheduler, the class between ActorScheduler and this one).
 *
 * Determinism: with one worker the interleaving is fixed (smallest clock first, ties by actor
 * order; an actor runs until it passes the next-smallest clock + SCHED_SLACK_NS) and every random
 * number comes from per-actor seeded streams, so a repeat is bit-identical. With several workers
 * the only shared resource is the host's free-frame count, and within a quantum the workers are at
 * different virtual times. What real-time progress may decide: which worker takes a frame first
 * (frames are counted, not named) and kswapd's watermark wake-ups. What it may not decide, because
 * it biases results (the worker that runs ahead would find the host at its min watermark first and
 * pay every direct reclaim): who pays for the min-watermark deficit. That is settled at the barrier,
 * in the serial section, in proportion to each guest's faults of the quantum (spreadSettle.ts
 * settleMinWatermark, Guest.fault). The serial section and its publishing: serialSection.ts; the
 * worker's composition (its guests, actors, node, kswapd): composeWorker.ts.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { controlAtomics } from '../sync/atomics.ts';
import { rcuBarrier, rcuUnregisterThread } from '../sync/rcu.ts';
import type { WorkerEnv } from './buildGuest.ts';
import { heatIntervalNs, type GuestHeatSampler } from './heatmap.ts';
import type { RunPlan } from './plan.ts';
import {
  P_BARRIER_CPU_MS,
  P_BARRIER_WALL_MS,
  P_BUSY_CPU_MS,
  P_BUSY_WALL_MS,
  P_HEAT_CPU_MS,
  P_QUANTA,
  P_RUN_DELAY_MS,
  P_SERIAL_CPU_MS,
  P_SERIAL_WALL_MS,
  PQ_CPU_MS,
  pqAt,
  type ProbeClocks,
} from './probe.ts';
import { DOUBLE_ZERO } from '../ownShape.ts';
import { nextQuantumEnd, SerialSection, type SimSink } from './serialSection.ts';
import { initBudgets, SpreadSettlement } from './spreadSettle.ts';
import { composeWorker, type SimCoreHooks } from './composeWorker.ts';
import { ProbedScheduler } from './workerProbe.ts';
import {
  attachSimViews,
  CTL_ABORT,
  CTL_BAR_COUNT,
  CTL_BAR_GEN,
  CTL_DONE,
  CTL_FREE_FRAMES,
  CTL_PAUSE,
  GS_VCPUS_DONE,
  GS_WORDS,
  TIME_NEXT_SAMPLE,
  TIME_NOW,
  TIME_QUANTUM_END,
  type SimBuffers,
} from './simLayout.ts';

/** The scheduler's constants (scheduler.ts), re-exported for the importers of this module. */
export { RCU_SECTION_STEPS, SCHED_SLACK_NS, STOP_CHECK_NS, STOP_CHECK_STEPS } from './scheduler.ts';

/** Lock-word loads a worker spins at the barrier before sleeping. */
const BARRIER_SPINS = 2_000;

/** Where the serial section sends its output: serialSection.ts (re-exported for the importers of this module). */
export type { SimSink };

/**
 * One-worker runs with a wall clock (SimSink.wallMs): the longest wall time between two serial sections
 * when no sample row, heat column, stop, pause or end is due. Below the worker's event batching
 * (eventBatch.ts DEFAULT_BATCH_MS = 50), so the UI's progress still moves at the batch's rate.
 */
export const QUIET_MAX_MS = 20;
/**
 * Skipped quanta between two reads of that clock: the serial section runs at most QUIET_MAX_MS plus this
 * many quanta's wall time after the last one (a replay's quantum is ~10 µs of CPU; a busy 64-vCPU
 * quantum ~1 ms). Not the scheduler's business: which quanta skip the serial section changes no result.
 */
export const QUIET_CLOCK_EVERY = 4;

/** Shared state a run starts from; the host calls this once before starting workers. */
export function initSimState(b: SimBuffers, plan: RunPlan): void {
  const c = new Int32Array(b.control);
  c[CTL_FREE_FRAMES] = plan.hostFrames;
  const t = new Float64Array(b.time);
  t[TIME_QUANTUM_END] = Math.min(plan.quantumNs, plan.endNs);
  t[TIME_NEXT_SAMPLE] = plan.sampleNs;
  initBudgets(b, plan);
}

/** Test hooks (test/stress): composeWorker.ts (re-exported for the importers of this module). */
export type { SimCoreHooks };

export class SimWorkerCore extends ProbedScheduler {
  readonly env: WorkerEnv;
  private readonly totalVcpus: number;
  /** The serial section (serialSection.ts): rows, progress, the settlement, the next quantum end. */
  private readonly section: SerialSection;
  /** Heat-map samplers of this worker's guests (when the sink takes heat columns). */
  private readonly heat: { guest: number; sampler: GuestHeatSampler }[];
  /**
   * Virtual ns: doubles from the start (DOUBLE_ZERO, -Infinity: core/ownShape.ts says why). A field
   * first set to a small integer changed this object's shape when it passed 2^30 ns (heatNext, ~1 s
   * of virtual time in) or took its first fractional time (heatLast), and every function compiled
   * against the shape (runUntil, quantum, quietQuantum, stopRequested) deoptimized mid-run.
   */
  private heatNext = DOUBLE_ZERO;
  private heatLast = -Infinity;
  private readonly heatNs: number;

  constructor(
    override readonly config: ScenarioConfig,
    readonly plan: RunPlan,
    buffers: SimBuffers,
    readonly workerIndex: number,
    private readonly sink: SimSink,
    /** Test hooks of the stress tests (test/stress): the negative control's planted bug. */
    hooks: SimCoreHooks = {},
  ) {
    const sv = attachSimViews(buffers, plan.spread ? workerIndex : 0);
    // The worker's composition (composeWorker.ts): its environment, guests, actors, heat samplers.
    const w = composeWorker(config, plan, buffers, workerIndex, sv, sink.heat !== undefined, hooks);
    super(sv, w, plan.spread);
    this.env = w.env;
    this.heat = w.heat;
    this.quiet = plan.workers === 1 && sink.wallMs !== undefined;
    this.heatNs = heatIntervalNs(plan.sampleNs, plan.endNs);
    this.heatNext = this.heatNs;
    this.totalVcpus = config.guests.reduce((n, g) => n + g.vcpus, 0);
    // The serial section reads and writes the run's shared counters, whichever worker runs it (the
    // barrier's last arriver): a spread worker >= 1's own `sv.stats` is its private copy, zeroed by the fold.
    const sharedViews = plan.spread && workerIndex > 0 ? attachSimViews(buffers, 0) : this.sv;
    this.section = new SerialSection(
      config,
      plan,
      buffers,
      this.sv,
      sharedViews,
      this.env.arena,
      this.totalVcpus,
      sink,
      this.quiet,
      plan.spread && buffers.spread ? new SpreadSettlement(config, plan, buffers, buffers.spread) : null,
    );
  }

  /**
   * The worker's whole run: quanta separated by barriers, honouring pause/stop/abort.
   * Returns 'done' or 'aborted'. With one worker it never blocks.
   */
  loop(): 'done' | 'aborted' {
    const c = this.sv.control;
    const probe = this.probe;
    const delay0 = probe?.clocks.thread()?.[1] ?? 0;
    if (this.quiet) this.section.lastSerialMs = this.sink.wallMs?.() ?? 0; // the run's start counts as a serial section
    for (;;) {
      const qEnd = this.sv.time[TIME_QUANTUM_END];
      if (!(probe !== null ? this.probedQuantum(qEnd, probe.row, probe.clocks) : this.quantum(qEnd))) {
        this.section.publish();
        return 'aborted';
      }
      if (controlAtomics.load(c, CTL_DONE) === 1) {
        this.section.publish();
        if (probe !== null) probe.row[P_RUN_DELAY_MS] = (probe.clocks.thread()?.[1] ?? NaN) - delay0;
        if (this.heatLast < this.sv.time[TIME_NOW]) this.sampleHeat(this.sv.time[TIME_NOW]);
        return 'done';
      }
      if (controlAtomics.load(c, CTL_PAUSE) === 1) {
        this.section.publish();
        this.sink.parked?.(this.sv.time[TIME_NOW]);
      }
      while (controlAtomics.load(c, CTL_PAUSE) === 1) {
        if (controlAtomics.load(c, CTL_ABORT) === 1) return 'aborted';
        controlAtomics.wait(c, CTL_PAUSE, 1, 100);
      }
    }
  }

  /** One quantum of this worker: its actors up to qEnd, heat-map columns, the barrier. False: aborted. */
  private quantum(qEnd: number): boolean {
    this.section.publish(); // the previous serial section's rows and progress, while the peers run this quantum
    this.runUntil(qEnd);
    if (this.quiet && this.quietQuantum(qEnd)) return true;
    return this.heatAndBarrier(qEnd);
  }

  /**
   * A quantum's end when it is not skipped: its heat column if one is due, then the barrier. The heat
   * test is here, not in quantum(), so that the call of sampleHeat is not in quantum's compiled code: a
   * call first reached after TurboFan compiled its function deoptimizes it (no type feedback), and a
   * replay's first column comes late (cloudPhysicsIO ×50: 15 s virtual, after ~15,000 quanta), where it
   * threw away quantum's code (it inlines runUntil, quietQuantum, rcuPoll...) to be compiled again.
   * This runs once per serial section (a row, the wall clock, the end), too rarely to be inlined there.
   * Same columns at the same times: a column is due only with a sample row (heatNext is a multiple of
   * the sample interval that serial sections have not passed, TIME_NEXT_SAMPLE the next one), and then
   * quietQuantum returns false at its first test, before any side effect.
   */
  private heatAndBarrier(qEnd: number): boolean {
    if (qEnd >= this.heatNext) this.sampleHeat(qEnd);
    return this.barrier();
  }

  /** One-worker runs with a wall clock (SimSink.wallMs): quietQuantum may skip serial sections. */
  private readonly quiet: boolean;
  /** Quanta skipped since the run began (quietQuantum; the last serial section's wall ms: SerialSection). */
  private quietCount = 0;

  /**
   * One worker, the quantum ending at qEnd just run: when its serial section would do nothing but post
   * progress (no sample row due, not the run's end, every vCPU not done, no stop, abort or pause asked
   * for) and it ran less than QUIET_MAX_MS of wall time ago, the barrier and the serial section are
   * skipped and the next quantum end is set as serial() sets it. True: skipped. The quanta themselves
   * (runUntil's ends, heat columns) are unchanged, so a run's results are too: what is skipped is a
   * barrier with no peer (one atomic add, a store, an add and a notify of nobody), the fold (a no-op
   * without spread), the sampling loop's test, the per-quantum progress call (a clock read and two
   * atomic loads in the worker's batch) and TIME_NOW, which only the result reads (set by the last
   * serial). Issue 8: a trace replay runs ~128k quanta of ~45 requests each (cloudPhysicsIO ×50).
   */
  private quietQuantum(qEnd: number): boolean {
    const { sv, plan } = this;
    const t = sv.time;
    if (t[TIME_NEXT_SAMPLE] <= qEnd || qEnd >= plan.endNs) return false;
    const c = sv.control;
    if (this.stopRequested() || controlAtomics.load(c, CTL_PAUSE) === 1) return false;
    const st = sv.stats;
    let vDone = 0;
    for (let g = 0; g < this.config.guests.length; g++) vDone += st[g * GS_WORDS + GS_VCPUS_DONE];
    if (vDone >= this.totalVcpus) return false;
    // The clock every QUIET_CLOCK_EVERY quanta (a call of Date.now was ~1 % of a replay's CPU per quantum).
    if (
      ++this.quietCount % QUIET_CLOCK_EVERY === 0 &&
      (this.sink.wallMs?.() ?? Infinity) - this.section.lastSerialMs >= QUIET_MAX_MS
    )
      return false;
    t[TIME_QUANTUM_END] = nextQuantumEnd(plan, qEnd);
    return true;
  }

  /** quantum() with the probe's clocks read around each part (probe.ts). */
  private probedQuantum(qEnd: number, row: Float64Array, clocks: ProbeClocks): boolean {
    const w0 = clocks.wallMs();
    const c0 = clocks.thread()?.[0] ?? NaN;
    this.section.publish(); // counted in this quantum's busy CPU: it runs while the peers run theirs
    this.runUntilCounted(qEnd);
    const w1 = clocks.wallMs();
    const c1 = clocks.thread()?.[0] ?? NaN;
    if (qEnd >= this.heatNext) this.sampleHeat(qEnd);
    const w2 = clocks.wallMs();
    const c2 = clocks.thread()?.[0] ?? NaN;
    this.serialWallMs = 0;
    this.serialCpuMs = 0;
    const ok = this.barrier();
    const w3 = clocks.wallMs();
    const c3 = clocks.thread()?.[0] ?? NaN;
    const q = row[P_QUANTA]++;
    row[P_BUSY_WALL_MS] += w1 - w0;
    row[P_BUSY_CPU_MS] += c1 - c0;
    row[P_HEAT_CPU_MS] += c2 - c1;
    row[P_SERIAL_WALL_MS] += this.serialWallMs;
    row[P_SERIAL_CPU_MS] += this.serialCpuMs;
    row[P_BARRIER_WALL_MS] += w3 - w2 - this.serialWallMs;
    row[P_BARRIER_CPU_MS] += c3 - c2 - this.serialCpuMs;
    // The quantum's critical-path share: its work (actors, heat map, serial section) in CPU time.
    if (pqAt(row, PQ_CPU_MS, q) < pqAt(row, PQ_CPU_MS + 1, 0))
      row[pqAt(row, PQ_CPU_MS, q)] = Number.isNaN(c1) ? w2 - w0 + this.serialWallMs : c2 - c0 + this.serialCpuMs;
    return ok;
  }

  /**
   * A heat-map column of each guest this worker samples (plan.heatWorker) at virtual time tNs, after its
   * quantum: this worker's actors are still; in a spread run other workers' may not be (a racy look, read-only).
   */
  private sampleHeat(tNs: number): void {
    while (this.heatNext <= tNs) this.heatNext += this.heatNs;
    if (this.heat.length === 0) return;
    this.heatLast = tNs;
    for (const h of this.heat) this.sink.heat?.(h.guest, tNs / 1e6, h.sampler.sample());
  }

  /** Quiesce RCU (every deferred table free runs) and give the reader slot back. */
  close(): void {
    rcuBarrier(this.rcu);
    rcuUnregisterThread(this.rcu);
  }

  private barrier(): boolean {
    const c = this.sv.control;
    const gen = controlAtomics.load(c, CTL_BAR_GEN);
    if (controlAtomics.add(c, CTL_BAR_COUNT, 1) + 1 === this.plan.workers) {
      const probe = this.probe;
      if (probe === null) this.section.run();
      else {
        const w0 = probe.clocks.wallMs();
        const c0 = probe.clocks.thread()?.[0] ?? NaN;
        this.section.run();
        this.serialWallMs = probe.clocks.wallMs() - w0;
        this.serialCpuMs = (probe.clocks.thread()?.[0] ?? NaN) - c0;
      }
      controlAtomics.store(c, CTL_BAR_COUNT, 0);
      controlAtomics.add(c, CTL_BAR_GEN, 1);
      controlAtomics.notify(c, CTL_BAR_GEN);
      return true;
    }
    // Spin a little first: quanta are short and a futex wake costs tens of microseconds.
    for (let spin = 0; spin < BARRIER_SPINS; spin++) if (controlAtomics.load(c, CTL_BAR_GEN) !== gen) return true;
    while (controlAtomics.load(c, CTL_BAR_GEN) === gen) {
      if (controlAtomics.load(c, CTL_ABORT) === 1) return false;
      controlAtomics.wait(c, CTL_BAR_GEN, gen, 100);
    }
    return true;
  }

  /**
   * Between quanta, in exactly one worker: sample rows, progress, end of run, next quantum, and the
   * rows and progress handed to the sink at once. runInterleaved (run.ts) and the one-thread diagnostics
   * call it directly; the barrier's last arriver runs the serial section and posts later (publish).
   */
  serial(): void {
    this.section.run();
    this.section.publish();
  }
}
