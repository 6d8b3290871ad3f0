/**
 * A run's life outside the workers, shared by the host (engine/host) and in-process callers
 * (tests, bench): check the config, plan it, create the shared buffers, and turn the final shared
 * state into a RunResult. `runInProcess` runs a whole scenario on the calling thread with one
 * worker's logic (never blocks: one worker never waits at its barrier). `runInterleaved` runs a
 * parallel plan on the calling thread with chosen worker timing (tests of the parallel model).
 */
import type { RunResult, ScenarioConfig } from '../../protocol.ts';
import { validateScenario } from '../config/index.ts';
import { attachArena, createArena } from '../layout.ts';
import { ageKindOf, HeatStore } from './heatmap.ts';
import { NCOLS, rowsToColumns } from './metrics.ts';
import { summarize } from './runSummary.ts';
import { planRun, type RunPlan } from './plan.ts';
import {
  attachSimViews,
  createSimBuffers,
  CTL_DONE,
  CTL_STOPPED,
  TIME_NOW,
  TIME_QUANTUM_END,
  type SimBuffers,
} from './simLayout.ts';
import { selectReplay } from './replaySelect.ts';
import { arenaLocks, prepareSpread } from './spread.ts';
import { initSimState, SimWorkerCore, type SimCoreHooks } from './simCore.ts';
import { probeQuanta, probeRow, type ProbeClocks } from './probe.ts';
import { isWholeShared, sharedBufferOf } from '../trace/sharedIds.ts';

export const ENGINE_VERSION = '0.1.0';

export interface PreparedRun {
  config: ScenarioConfig;
  plan: RunPlan;
  buffers: SimBuffers;
}

/** Throws an Error with a clear message (every problem listed) when the config is not runnable. */
export function checkRunnable(config: ScenarioConfig, traces: Record<string, Uint32Array>): void {
  const info: Record<string, { distinct: number }> = {};
  for (const [name, t] of Object.entries(traces)) info[name] = { distinct: distinctPages(t) };
  const r = validateScenario(config, { traces: info });
  if (!r.ok) {
    const e = new Error(r.error.message);
    e.name = 'ConfigError';
    throw e;
  }
}

/**
 * distinctPages of the traces held in shared memory, which are never written after parsing
 * (trace/sharedIds.ts): each is scanned once, not at every run (7-15 ms of CPU for 5.69 M requests,
 * measured; a caller such as the replay bench passes traces the run does not use too).
 */
const sharedTracePages = new WeakMap<Uint32Array, number>();

/** Pages a trace needs: its largest dense id + 1 (ids are dense, so this is the distinct count). */
function distinctPages(t: Uint32Array): number {
  const known = sharedTracePages.get(t);
  if (known !== undefined) return known;
  let max = -1;
  for (let i = 0; i < t.length; i++) if (t[i] > max) max = t[i];
  if (isWholeShared(t)) sharedTracePages.set(t, max + 1);
  return max + 1;
}

/** Options of prepareRun (tests). */
export interface PrepareOptions {
  /** Poison freed table pages and count use-after-free walks (layout.ts FLAG_DEBUG_POISON): stress tests. */
  debugPoison?: boolean;
}

/** Validate, plan and allocate everything a run shares between workers. */
export function prepareRun(
  config: ScenarioConfig,
  traces: Record<string, Uint32Array>,
  workers: number,
  options: PrepareOptions = {},
): PreparedRun {
  checkRunnable(config, traces);
  const plan = planRun(config, workers);
  const guestTraces = config.guests.map((g) => (g.workload.kind === 'trace' ? traces[g.workload.trace] : null));
  let buffers: SimBuffers;
  try {
    const arena = createArena({
      tablePages: plan.tablePages,
      maxThreads: plan.maxThreads,
      maxLocks: arenaLocks(config, plan),
      debugPoison: options.debugPoison,
    });
    // A trace already in a whole SharedArrayBuffer is shared, not copied (trace/sharedIds.ts). Converted
    // here, not in simLayout.ts: a module that imports nothing has its constants (GS_*, PG_*, CTL_*)
    // inlined by the Node bundles (scripts/workers.mjs, minifySyntax).
    const traceBuffers = guestTraces.map((t) => (t ? sharedBufferOf(t) : null));
    buffers = createSimBuffers(plan.guestPages, traceBuffers, arena.sab, plan.maxRows + 1);
    if (plan.spread) buffers.spread = prepareSpread(buffers, arena, config, plan);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    // Shared buffers too large for this machine: a config problem the user can act on, naming the field.
    const mib = config.guests.reduce((a, g) => a + g.memoryMiB, 0);
    const err = new Error(
      `guests: the guests total ${mib} MiB and this machine could not allocate the simulator's buffers for them; use smaller guests`,
    );
    err.name = 'ConfigError';
    throw err;
  }
  initSimState(buffers, plan);
  return { config, plan, buffers };
}

/** Assemble the RunResult from the shared state after every worker finished. */
export function buildResult(p: PreparedRun, rows: Float64Array, rowCount: number, wallMs: number): RunResult {
  const sv = attachSimViews(p.buffers);
  const arena = attachArena(p.buffers.arena);
  const virtualNs = sv.time[TIME_NOW];
  return {
    engineVersion: ENGINE_VERSION,
    config: p.config,
    seed: p.config.run.seed,
    workers: p.plan.workers,
    deterministic: p.config.run.deterministic,
    summary: summarize(p.config, sv, arena, virtualNs),
    samples: rowsToColumns(rows, rowCount),
    wallMs,
    stopped: sv.control[CTL_STOPPED] === 1,
  };
}

/** The host-side collector of a run's heat-map columns (RunResult.heatmap). */
export function heatStoreFor(p: PreparedRun): HeatStore {
  return new HeatStore(
    p.config.guests.map((g) => g.name),
    p.plan.guestPages,
    ageKindOf(p.config.reclaim.policy),
  );
}

/** Row-major sample storage that grows; rows may arrive out of order (any worker may emit). */
export class RowStore {
  data = new Float64Array(64 * NCOLS);
  count = 0;

  put(startRow: number, rows: Float64Array[]): void {
    const need = (startRow + rows.length) * NCOLS;
    if (need > this.data.length) {
      const bigger = new Float64Array(Math.max(need, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    rows.forEach((r, i) => this.data.set(r, (startRow + i) * NCOLS));
    this.count = Math.max(this.count, startRow + rows.length);
  }
}

export interface InProcessOptions {
  /** Take the trace-replay fast path when the run is eligible (replay.ts); default true. */
  replay?: boolean;
  /** Sample the stage-2 heat map into RunResult.heatmap (default false in process). */
  heatmap?: boolean;
}

/** Run a scenario to completion on this thread (deterministic: one worker's logic). */
export function runInProcess(
  config: ScenarioConfig,
  traces: Record<string, Uint32Array> = {},
  options: InProcessOptions = {},
): RunResult {
  const wall0 = Date.now();
  const p = prepareRun({ ...config, run: { ...config.run, deterministic: true } }, traces, 1);
  p.config = config;
  const store = new RowStore();
  const heat = options.heatmap ? heatStoreFor(p) : null;
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: (s, r) => store.put(s, r),
    progress: () => {},
    ...(heat ? { heat: (g: number, t: number, cells: Uint8Array) => heat.put(g, t, cells) } : {}),
  });
  if (options.replay ?? true) selectReplay(core.actorList, p.config, p.plan);
  core.loop();
  core.close();
  const result = buildResult(p, store.data, store.count, Date.now() - wall0);
  if (heat) result.heatmap = heat.result();
  return result;
}

/** Options of runInterleaved (tests). */
export interface InterleavedOptions {
  /** A bug a negative control plants (SimCoreHooks). */
  hooks?: SimCoreHooks;
  /** A probe buffer for (workers, quanta), e.g. createProbe: each worker's work counters (probe.ts). */
  probe?: (workers: number, quanta: number) => SharedArrayBuffer;
  /** Which worker runs quantum q's serial section (threads: the barrier's last arriver); default 0. */
  serialWorker?: (quantum: number) => number;
}

const NO_CLOCKS: ProbeClocks = { wallMs: () => 0, thread: () => null };

/**
 * Run a parallel plan (`workers` SimWorkerCores over the same shared buffers) on this thread, one
 * worker after another inside each quantum, in `order` (worker indices), then the serial section.
 * These are the extremes of real parallel timing: the workers later in `order` see the earlier
 * ones' whole quantum done, the earlier ones see none of the later ones'. A parallel model whose
 * results depend on that timing shows it here, without threads and reproducibly.
 */
export function runInterleaved(
  config: ScenarioConfig,
  workers: number,
  order: number[],
  options: InterleavedOptions = {},
): RunResult {
  const wall0 = Date.now();
  const p = prepareRun({ ...config, run: { ...config.run, deterministic: false, workers } }, {}, workers);
  const store = new RowStore();
  const sink = { rows: (s: number, r: Float64Array[]) => store.put(s, r), progress: () => {} };
  const cores = Array.from(
    { length: p.plan.workers },
    (_, i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, sink, options.hooks),
  );
  // Work counters only (no clocks here): which worker's vCPUs faulted and reclaimed (probe.ts).
  const probe = options.probe?.(p.plan.workers, probeQuanta(p.plan));
  if (probe) cores.forEach((c, i) => c.attachProbe(probeRow(probe, i, probeQuanta(p.plan)), NO_CLOCKS));
  if (order.length !== cores.length || new Set(order).size !== cores.length || order.some((w) => !cores[w]))
    throw new RangeError(`order must list each of the ${cores.length} workers once`);
  const sv = cores[0].sv;
  let q = 0;
  do {
    const end = sv.time[TIME_QUANTUM_END];
    for (const w of order) cores[w].runUntilCounted(end);
    cores[options.serialWorker?.(q++) ?? 0].serial();
  } while (sv.control[CTL_DONE] !== 1);
  for (const c of cores) c.close();
  return buildResult(p, store.data, store.count, Date.now() - wall0);
}
