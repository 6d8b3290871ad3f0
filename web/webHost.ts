/**
 * Adapter from the engine host (engine/host/engine.ts + web/spawn.ts) to the browser edition's
 * EngineRun. Loaded lazily by web/engine.ts, so presets and the UI come up before the first run.
 */
import type { Result, RunEvent, ScenarioConfig } from '../engine/protocol.ts';
import { startRun, type RunHandle } from '../engine/host/engine.ts';
import { webCores, webWorkerPool } from '../engine/host/web/spawn.ts';
import type { EngineRun } from './labApi.ts';

/**
 * Vite bundles the worker because the URL literal sits inside `new Worker(...)`. Kept workers
 * (engine/host/workerPool.ts): a second run or a sweep's runs skip the worker's start and JIT warm-up.
 */
const spawnWorker = webWorkerPool(
  () => new Worker(new URL('../engine/host/web/simWorker.ts', import.meta.url), { type: 'module' }),
).spawn;

/** Throws (ConfigError) for a bad config; the caller turns that into a Result error. */
export function startWebRun(
  config: ScenarioConfig,
  onEvent: (e: RunEvent) => void,
  traces: Record<string, Uint32Array>,
): Result<EngineRun> {
  // `traces`: page ids of the trace files the user loaded (web/labApi.ts keeps them, LabApi.loadTrace).
  const handle = startRun(config, { spawnWorker, traces, cores: webCores(), onEvent });
  // Failures arrive as 'error' events; the promise's rejection is not a second report.
  handle.done.catch(() => {});
  return {
    ok: true,
    value: {
      runId: handle.runId,
      pause: () => handle.pause(),
      resume: () => handle.resume(),
      stop: () => handle.stop(),
    },
  };
}

/** One run of a sweep (engine/host/sweepService.ts): no live events, only its result. */
export function startWebSweepRun(config: ScenarioConfig, traces: Record<string, Uint32Array>): RunHandle {
  return startRun(config, { spawnWorker, traces, cores: webCores(), onEvent: () => {} });
}

/** One run of a reproduction (engine/host/reproduce.ts): its progress, then its result. */
export function startWebReproRun(config: ScenarioConfig, onProgress: (fraction: number) => void): RunHandle {
  return startRun(config, {
    spawnWorker,
    cores: webCores(),
    onEvent: (e) => {
      if (e.type === 'progress') onProgress(e.fraction);
    },
  });
}
