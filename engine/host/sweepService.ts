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
import type { Result, RunResult, ScenarioConfig, SweepEvent, SweepRecord, SweepSpec } from '../protocol.ts';
import type { PresetSet } from '../core/config/presetSet.ts';
import type { TraceInfo } from '../core/config/semantics.ts';
import { planSweep } from '../core/sweep/plan.ts';
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
