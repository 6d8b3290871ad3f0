/**
 * The sweep side of LabApi, shared by both hosts (web/labApi.ts on Web Workers, main/ on
 * worker_threads): plan a spec against the host's presets and loaded traces, run it on a local pool,
 * deliver SweepEvents to the owner that started it. Runtime-neutral: runs start through the injected
 * `startRun` (the host's own engine seam).
 *
 * Contract: `start` validates the whole spec first (planSweep: one clear line for a bad spec) and
 * returns a Result; afterwards everything arrives as events ('sweep-started', one 'sweep-run' per
 * run, then 'sweep-done' or 'sweep-error'). A sweep may be stopped only by its owner.
 */
import type {
  PointStats,
  Result,
  RunResult,
  RunSummary,
  ScenarioConfig,
  SweepEvent,
  SweepRecord,
  SweepSpec,
} from '../protocol.ts';
import type { PresetSet } from '../core/config/presetSet.ts';
import type { TraceInfo } from '../core/config/semantics.ts';
import { planSweep } from '../core/sweep/plan.ts';
import { pointStats } from '../core/sweep/stats.ts';
import { runLocalSweep, type LocalSweepHandle, type RunOneHandle } from './sweep.ts';

export interface SweepTraces {
  info(): TraceInfo;
  pageIdsFor(config: ScenarioConfig): Record<string, Uint32Array>;
}

export interface SweepServiceDeps {
  presets(): PresetSet;
  /** Starts one (validated, deterministic) run; throws for a config the engine refuses. */
  startRun(config: ScenarioConfig, traces: Record<string, Uint32Array>): { done: Promise<RunResult>; stop(): void };
  /** Default pool size (e.g. the cores). */
  defaultWorkers(): number;
}

let sweepCounter = 0;

export class SweepService {
  private readonly sweeps = new Map<string, { handle: LocalSweepHandle; ownerId: number }>();

  constructor(private readonly deps: SweepServiceDeps) {}

  start(
    spec: SweepSpec,
    traces: SweepTraces,
    owner: { id: number; send(e: SweepEvent): void },
    options: { workers?: number } = {},
  ): Result<{ sweepId: string; record: SweepRecord }> {
    const planned = planSweep(spec, { set: this.deps.presets(), traces: traces.info() });
    if (!planned.ok) return planned;
    const plan = planned.value;
    const sweepId = `sweep-${++sweepCounter}-${Date.now().toString(36)}`;
    const workers = options.workers;
    const concurrency =
      typeof workers === 'number' && Number.isInteger(workers) && workers >= 1 && workers <= 64
        ? workers
        : this.deps.defaultWorkers();
    const handle = runLocalSweep(plan, {
      sweepId,
      concurrency,
      runOne: (i): RunOneHandle => {
        const config = plan.configs[i];
        return this.deps.startRun(config, traces.pageIdsFor(config));
      },
      onEvent: (e) => owner.send(e),
    });
    this.sweeps.set(sweepId, { handle, ownerId: owner.id });
    const forget = () => this.sweeps.delete(sweepId);
    handle.done.then(forget, forget);
    return { ok: true, value: { sweepId, record: plan.record } };
  }

  /** Stops a sweep of this owner; false for an unknown or foreign id. */
  stop(sweepId: string, ownerId: number): boolean {
    const s = this.sweeps.get(sweepId);
    if (!s || s.ownerId !== ownerId) return false;
    s.handle.stop();
    return true;
  }

  stopAllOf(ownerId: number): void {
    for (const s of this.sweeps.values()) if (s.ownerId === ownerId) s.handle.stop();
  }
}

/** At most this many summaries in one sweepStats call (a session holds at most 10,000 runs). */
const MAX_STATS_SUMMARIES = 10_000;

/**
 * LabApi.sweepStats: the statistics of each point from its runs' summaries. The argument is untrusted
 * (IPC): it must be an array of arrays of objects, bounded in size; non-numeric fields are ignored.
 */
export function sweepStats(points: unknown): Result<PointStats[]> {
  const bad = (message: string): Result<PointStats[]> => ({ ok: false, error: { name: 'BadArgument', message } });
  if (!Array.isArray(points)) return bad('sweepStats expects an array of points');
  let n = 0;
  for (const p of points) {
    if (!Array.isArray(p)) return bad('each point must be an array of run summaries');
    n += p.length;
    if (n > MAX_STATS_SUMMARIES) return bad(`more than ${MAX_STATS_SUMMARIES} summaries`);
    if (p.some((x) => typeof x !== 'object' || x === null)) return bad('a run summary must be an object');
  }
  return { ok: true, value: (points as RunSummary[][]).map((p) => pointStats(p)) };
}
