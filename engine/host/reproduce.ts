/**
 * Runs reproductions (engine/core/repro): the one runner behind `lab reproduce` (engine/cli), the
 * Reproductions view of both editions (engine/host/reproduceService.ts, LabApi.startReproductions).
 * (bench/repro.ts times each run alone with the same configs.) Runtime-neutral: each run starts through the injected `startRun` (the host's own engine).
 *
 * Contract: the runs the reproductions need (engine/core/repro reproductionConfigs: runs shared by
 * several reproductions run once), in the order the reproductions need them, at most `concurrency` at
 * a time. A reproduction's figures are computed (evaluateReproduction) as soon as its last run is done
 * and delivered at once ('repro-result'); the job ends with exactly one 'repro-done' or 'repro-error',
 * after every run it started has settled. stop(): the runs going are stopped and their partial results
 * dropped, no new run starts, reproductions already delivered stand. A failed run, or one stopped by
 * anyone but this job (its result is partial), stops the job ('repro-error' naming the run and its
 * reproductions); earlier results stand.
 */
import type { ErrorInfo, ReproEvent, ReproductionResult, RunResult, RunSummary, ScenarioConfig } from '../protocol.ts';
import { evaluateReproduction, variantKey, type Reproduction } from '../core/repro/reproductions.ts';

export interface ReproRunHandle {
  /** Resolves with the result (`stopped` when stopped early); rejects when the run failed. */
  done: Promise<RunResult>;
  stop(): void;
}

/** Starts one run; `onProgress` gets the run's fraction done (0..1) now and then. May throw. */
export type StartReproRun = (
  key: string,
  config: ScenarioConfig,
  onProgress: (fraction: number) => void,
) => ReproRunHandle;

export interface ReproJobOptions {
  jobId: string;
  repros: readonly Reproduction[];
  /** Every run the reproductions need, by variantKey (reproductionConfigs). */
  configs: ReadonlyMap<string, ScenarioConfig>;
  concurrency: number;
  /** A what-if's hardware profile (the configs already use it): named in every result. */
  profile?: string;
  startRun: StartReproRun;
  onEvent(event: ReproEvent): void;
}

export interface ReproJobOutcome {
  /** In the order of `repros`; only the reproductions whose every run finished. */
  results: ReproductionResult[];
  stopped: boolean;
  error?: ErrorInfo;
}

export interface ReproJob {
  done: Promise<ReproJobOutcome>;
  stop(): void;
}

/** Runs at a time: the CLI's two (each run is deterministic, one worker), never more than the cores. */
export function defaultReproConcurrency(cores: number): number {
  return Math.max(1, Math.min(2, Math.floor(cores) || 1));
}

/** Progress is reported when the job's fraction moved by this much (or a run started or ended). */
const PROGRESS_STEP = 0.005;

export function runReproductionJob(o: ReproJobOptions): ReproJob {
  const queue = [...o.configs.keys()];
  const total = queue.length;
  const results = new Map<string, RunResult>();
  const running = new Map<string, { handle: ReproRunHandle | null; fraction: number }>();
  const delivered: ReproductionResult[] = [];
  let stopped = false;
  let error: ErrorInfo | undefined;
  let lastFraction = -1;

  const progress = (force: boolean): void => {
    let sum = results.size;
    for (const r of running.values()) sum += r.fraction;
    const fraction = total > 0 ? sum / total : 1;
    if (!force && fraction - lastFraction < PROGRESS_STEP) return;
    lastFraction = fraction;
    o.onEvent({
      type: 'repro-progress',
      jobId: o.jobId,
      running: [...running.keys()],
      fraction,
      done: results.size,
      total,
    });
  };

  const deliverReady = (): void => {
    for (const r of o.repros) {
      if (delivered.some((d) => d.id === r.id) || !r.variants.every((v) => results.has(variantKey(v)))) continue;
      const summaries = new Map<string, RunSummary>();
      for (const v of r.variants) summaries.set(variantKey(v), (results.get(variantKey(v)) as RunResult).summary);
      const result: ReproductionResult = {
        id: r.id,
        ...(o.profile === undefined ? {} : { profile: o.profile }),
        figures: evaluateReproduction(r, summaries),
        runs: r.variants.map((v) => {
          const run = results.get(variantKey(v)) as RunResult;
          return {
            key: v.key,
            harvest: run.config.reclaim.harvest,
            policy: run.config.reclaim.policy,
            summary: run.summary,
            samples: run.samples,
            wallMs: run.wallMs,
          };
        }),
      };
      delivered.push(result);
      o.onEvent({ type: 'repro-result', jobId: o.jobId, result });
    }
  };

  const fail = (key: string, e: unknown): void => {
    if (stopped || error) return;
    const users = o.repros.filter((r) => r.variants.some((v) => variantKey(v) === key)).map((r) => r.id);
    const message = e instanceof Error ? e.message : String(e);
    error = { name: 'ReproductionRunFailed', message: `${users.join(', ')}: run ${key} failed: ${message}` };
    for (const r of running.values()) r.handle?.stop();
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      if (stopped || error) return;
      const key = queue.shift();
      if (key === undefined) return;
      const slot: { handle: ReproRunHandle | null; fraction: number } = { handle: null, fraction: 0 };
      running.set(key, slot);
      progress(true);
      try {
        slot.handle = o.startRun(key, o.configs.get(key) as ScenarioConfig, (f) => {
          if (!running.has(key)) return;
          slot.fraction = Math.min(1, Math.max(0, f));
          progress(false);
        });
        const result = await slot.handle.done;
        running.delete(key);
        if (stopped || error) continue;
        // A run stopped by someone else (e.g. its engine shut down) is partial: never a reproduction's input.
        if (result.stopped) throw new Error('it was stopped before the end of its virtual time');
        results.set(key, result);
        deliverReady();
        progress(true);
      } catch (e) {
        running.delete(key);
        fail(key, e);
      }
    }
  };

  const lanes = Array.from({ length: Math.max(1, Math.min(o.concurrency, total)) }, lane);
  const done = Promise.all(lanes).then((): ReproJobOutcome => {
    if (error) o.onEvent({ type: 'repro-error', jobId: o.jobId, error });
    else o.onEvent({ type: 'repro-done', jobId: o.jobId, stopped });
    const order = (id: string): number => o.repros.findIndex((r) => r.id === id);
    return { results: delivered.sort((a, b) => order(a.id) - order(b.id)), stopped, ...(error ? { error } : {}) };
  });
  return {
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const r of running.values()) r.handle?.stop();
    },
  };
}
