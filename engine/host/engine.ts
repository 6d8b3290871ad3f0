/**
 * The engine host: starts a run on simulation workers and turns their messages into RunEvents.
 * Runtime-neutral (no Node, no DOM): workers come from an injected `spawnWorker`
 * (node/spawn.ts nodeSpawner, web/spawn.ts webSpawner, or Electron's ?nodeWorker import).
 *
 * Contracts:
 * - startRun validates the config first and throws a ConfigError (every problem listed) before
 *   anything starts; after that, every failure (a worker that throws, fails to load, or exits
 *   early) becomes one 'error' event, state 'failed', and rejects `done` — never a hang.
 * - Events: state 'starting' → 'running' (⇄ 'paused') → ('stopping') → 'done' | 'failed';
 *   'progress' and 'samples' (rows in order of startRow) while running; then 'done' with the result.
 * - This thread never blocks: pause/resume/stop only store (and notify) control words; workers wait.
 */
import type { RunEvent, RunResult, ScenarioConfig } from '../protocol.ts';
import { controlAtomics } from '../core/sync/atomics.ts';
import { NCOLS, rowsToColumns } from '../core/sim/metrics.ts';
import { heatStoreFor } from '../core/sim/run.ts';
import { buildResult, prepareRun, RowStore } from '../core/sim/run.ts';
import { CTL_ABORT, CTL_BAR_GEN, CTL_PAUSE, CTL_STOP, type SimBuffers } from '../core/sim/simLayout.ts';
import type { SimCoreHooks } from '../core/sim/simCore.ts';
import { toErrorInfo, type SpawnWorker, type WorkerLike, type WorkerToHost } from './messages.ts';

export interface StartRunOptions {
  spawnWorker: SpawnWorker;
  /** Dense page-id traces by name (workload.trace refers to them). */
  traces?: Record<string, Uint32Array>;
  /** Cores of this machine: run.workers = 0 means cores - 1 (min 1). */
  cores?: number;
  onEvent: (e: RunEvent) => void;
  runId?: string;
  /** Test hook: worker 0 throws after this many quanta. */
  failAfterQuanta?: number;
  /** Sample the stage-2 heat map into RunResult.heatmap and 'heat' events (default true). */
  heatmap?: boolean;
  /** Tests and bench: false keeps an eligible trace replay off the fast path (core/sim/replay.ts). */
  replay?: boolean;
  /** Stress tests: poison freed table pages and count use-after-free walks (debug arena). */
  debugPoison?: boolean;
  /** Stress tests: a bug a negative control plants in every worker (SimCoreHooks). */
  hooks?: SimCoreHooks;
  /** Bench/diagnostics: a probe buffer (core/sim/probe.ts createProbe) every worker writes its row of. */
  probe?: SharedArrayBuffer;
  /** Stress tests: the run's shared buffers, once allocated (to read the arena's debug counters). */
  onPrepared?: (buffers: SimBuffers) => void;
}

export interface RunHandle {
  readonly runId: string;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Resolves with the result (also when stopped early); rejects when the run failed. */
  readonly done: Promise<RunResult>;
}

let runCounter = 0;

export function workerCount(config: ScenarioConfig, cores: number | undefined): number {
  if (config.run.deterministic) return 1;
  if (config.run.workers > 0) return config.run.workers;
  return Math.max(1, (cores ?? 2) - 1);
}

export function startRun(config: ScenarioConfig, options: StartRunOptions): RunHandle {
  const runId = options.runId ?? `run-${++runCounter}-${Date.now().toString(36)}`;
  const emit = options.onEvent;
  const prepared = prepareRun(config, options.traces ?? {}, workerCount(config, options.cores), {
    debugPoison: options.debugPoison,
  });
  const { plan, buffers } = prepared;
  options.onPrepared?.(buffers);
  const control = new Int32Array(buffers.control);
  const store = new RowStore();
  const heat = heatStoreFor(prepared);
  const workers: WorkerLike[] = [];
  const wall0 = Date.now();
  let finished = 0;
  let aborted = 0;
  let settled = false;
  /** Rows received (by index) and the first row not yet emitted as 'samples'; latest progress. */
  let arrived = new Uint8Array(64);
  let emitted = 0;
  let progressNs = -1;
  let resolve!: (r: RunResult) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<RunResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });

  const terminateAll = (): void => {
    for (const w of workers) {
      try {
        w.terminate();
      } catch {
        /* already gone */
      }
    }
  };

  const fail = (e: unknown): void => {
    if (settled) return;
    settled = true;
    controlAtomics.store(control, CTL_ABORT, 1);
    controlAtomics.notify(control, CTL_BAR_GEN);
    controlAtomics.notify(control, CTL_PAUSE);
    terminateAll();
    const error = toErrorInfo(e);
    emit({ type: 'error', runId, error });
    emit({ type: 'state', runId, state: 'failed' });
    const err = new Error(error.message);
    err.name = error.name;
    reject(err);
  };

  const emitProgress = (virtualNs: number): void => {
    progressNs = virtualNs;
    emit({ type: 'progress', runId, fraction: Math.min(1, virtualNs / plan.endNs), virtualMs: virtualNs / 1e6 });
  };

  const onMessage = (m: WorkerToHost): void => {
    if (settled) return;
    switch (m.type) {
      case 'rows': {
        // Workers post coalesced batches (eventBatch.ts), each worker's in order but interleaved
        // across workers: emit 'samples' only for the contiguous prefix, so rows go out in order.
        store.put(m.startRow, m.rows);
        if (arrived.length < store.count) {
          const grown = new Uint8Array(Math.max(store.count, arrived.length * 2));
          grown.set(arrived);
          arrived = grown;
        }
        arrived.fill(1, m.startRow, m.startRow + m.rows.length);
        let end = emitted;
        while (end < store.count && arrived[end] === 1) end++;
        if (end > emitted) {
          const columns = rowsToColumns(store.data.subarray(emitted * NCOLS, end * NCOLS), end - emitted);
          emit({ type: 'samples', runId, startRow: emitted, columns });
          emitted = end;
        }
        return;
      }
      case 'progress':
        if (m.virtualNs <= progressNs) return; // another worker's older news
        return emitProgress(m.virtualNs);
      case 'parked':
        // Always told, even at the virtual time of the last 'progress': a pause asked for just after a
        // serial section's progress parks the worker at that same time, and a listener waiting for the
        // run to reach its pause must hear of it (only a peer's older time is dropped).
        if (m.virtualNs < progressNs) return;
        return emitProgress(m.virtualNs);
      case 'heat':
        heat.put(m.guest, m.tMs, m.cells);
        emit({ type: 'heat', runId, guest: m.guest, tMs: m.tMs, cells: m.cells });
        return;
      case 'finished':
        // A worker aborts because a peer failed; the peer's own 'error' arrives on another port, maybe
        // later: wait for it (it settles the run with the real cause), and blame no one only if it never came.
        if (m.outcome === 'aborted') aborted++;
        if (++finished < workers.length) return;
        if (aborted > 0) return fail(new Error('a simulation worker aborted the run'));
        try {
          const result = buildResult(prepared, store.data, store.count, Date.now() - wall0);
          if (options.heatmap !== false) result.heatmap = heat.result();
          settled = true;
          // Kept workers (workerPool.ts) go back to their pool; the others end here.
          for (const w of workers) {
            if (w.release) w.release();
            else w.terminate();
          }
          emit({ type: 'done', runId, result });
          emit({ type: 'state', runId, state: 'done' });
          resolve(result);
        } catch (e) {
          fail(e);
        }
        return;
      case 'error':
        return fail(m.error);
      default: {
        const never: never = m;
        return fail(new Error(`unexpected worker message ${JSON.stringify(never)}`));
      }
    }
  };

  emit({ type: 'state', runId, state: 'starting' });
  try {
    for (let i = 0; i < plan.workers; i++) {
      const data = {
        config,
        plan,
        buffers,
        workerIndex: i,
        failAfterQuanta: i === 0 ? options.failAfterQuanta : undefined,
        heatmap: options.heatmap,
        replay: options.replay,
        hooks: options.hooks,
        probe: options.probe,
      };
      const w = options.spawnWorker(data);
      workers.push(w);
      w.onMessage(onMessage);
      w.onError((e) => fail(e));
      w.postMessage({ type: 'init', data });
    }
    emit({ type: 'state', runId, state: 'running' });
  } catch (e) {
    fail(e);
  }

  return {
    runId,
    done,
    pause() {
      if (settled) return;
      controlAtomics.store(control, CTL_PAUSE, 1);
      emit({ type: 'state', runId, state: 'paused' });
    },
    resume() {
      if (settled) return;
      controlAtomics.store(control, CTL_PAUSE, 0);
      controlAtomics.notify(control, CTL_PAUSE);
      emit({ type: 'state', runId, state: 'running' });
    },
    stop() {
      if (settled) return;
      controlAtomics.store(control, CTL_STOP, 1);
      controlAtomics.store(control, CTL_PAUSE, 0);
      controlAtomics.notify(control, CTL_PAUSE);
      emit({ type: 'state', runId, state: 'stopping' });
    },
  };
}
