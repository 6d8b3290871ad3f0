/**
 * Running a sweep (engine/core/sweep/plan.ts) on this machine, and collecting any sweep's results.
 * Runtime-neutral (no Node, no DOM): a run is started by an injected `runOne` (the CLI and Electron
 * main use startRun on worker_threads, the browser edition on Web Workers; the queue submitter does
 * not run anything and only uses SweepCollector).
 *
 * Contracts:
 * - SweepCollector puts each result at its run index, whatever order results arrive in, and takes
 *   each index once (a duplicate is refused, not counted twice); `finish` gives the record and the
 *   runs in index order, so a local and a distributed sweep of the same plan give the same session.
 * - runLocalSweep keeps at most `concurrency` runs in flight and starts them in index order. A failed
 *   run fails the sweep (the runs already done are kept: `finish` still works). `stop` starts no new
 *   run and stops the ones in flight; their partial results are not used (a stopped run covers less
 *   virtual time than its point's other seeds).
 */
import type { PointStats, RunResult, SweepEvent, SweepRecord } from '../protocol.ts';
import type { SweepPlan } from '../core/sweep/plan.ts';
import { pointStats } from '../core/sweep/stats.ts';

export interface CollectedRun {
  pointIndex: number;
  seedIndex: number;
  stats: PointStats;
  done: number;
  total: number;
}

export class SweepCollector {
  readonly results: (RunResult | undefined)[];
  private count = 0;

  constructor(readonly plan: SweepPlan) {
    this.results = new Array<RunResult | undefined>(plan.configs.length).fill(undefined);
  }

  get done(): number {
    return this.count;
  }

  get total(): number {
    return this.plan.configs.length;
  }

  has(index: number): boolean {
    return this.results[index] !== undefined;
  }

  /** Stores run `index`'s result; undefined when that index already has one (never counted twice). */
  add(index: number, result: RunResult): CollectedRun | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.total)
      throw new RangeError(`run index ${index} is outside the sweep (0..${this.total - 1})`);
    if (this.results[index] !== undefined) return undefined;
    this.results[index] = result;
    this.count++;
    const seeds = this.plan.record.seeds.length;
    const pointIndex = Math.floor(index / seeds);
    return {
      pointIndex,
      seedIndex: index % seeds,
      stats: this.statsOf(pointIndex),
      done: this.count,
      total: this.total,
    };
  }

  statsOf(pointIndex: number): PointStats {
    const seeds = this.plan.record.seeds.length;
    const summaries = [];
    for (let s = 0; s < seeds; s++) {
      const r = this.results[pointIndex * seeds + s];
      if (r) summaries.push(r.summary);
    }
    return pointStats(summaries);
  }

  /**
   * The record with each point's runs as indices into `runs` (offset by `firstRunIndex`, the number of
   * runs a session already holds before these), -1 where a run did not complete.
   */
  finish(firstRunIndex = 0): { record: SweepRecord; runs: RunResult[] } {
    const runs: RunResult[] = [];
    const at = this.results.map((r) => {
      if (!r) return -1;
      runs.push(r);
      return firstRunIndex + runs.length - 1;
    });
    const seeds = this.plan.record.seeds.length;
    const record: SweepRecord = {
      ...this.plan.record,
      points: this.plan.record.points.map((p, i) => ({ ...p, runs: p.runs.map((_, s) => at[i * seeds + s]) })),
    };
    return { record, runs };
  }
}

export interface RunOneHandle {
  done: Promise<RunResult>;
  stop(): void;
}

export interface LocalSweepOptions {
  /** Starts run `index` of the plan (its config is plan.configs[index]). */
  runOne: (index: number) => RunOneHandle;
  concurrency: number;
  sweepId: string;
  onEvent: (e: SweepEvent) => void;
}

export interface LocalSweepHandle {
  readonly collector: SweepCollector;
  stop(): void;
  /** Resolves when every run finished (or the sweep was stopped); rejects on the first failed run. */
  readonly done: Promise<{ stopped: boolean }>;
}

export function runLocalSweep(plan: SweepPlan, options: LocalSweepOptions): LocalSweepHandle {
  const collector = new SweepCollector(plan);
  const { sweepId, onEvent } = options;
  const inFlight = new Map<number, RunOneHandle>();
  let next = 0;
  let stopped = false;
  let failed = false;
  let settle!: (v: { stopped: boolean }) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<{ stopped: boolean }>((res, rej) => {
    settle = res;
    reject = rej;
  });

  const finishIfIdle = (): void => {
    if (inFlight.size > 0 || failed) return;
    if (stopped || next >= plan.configs.length) {
      onEvent({ type: 'sweep-done', sweepId, record: collector.finish().record, stopped });
      settle({ stopped });
    }
  };

  const launch = (): void => {
    while (!stopped && !failed && inFlight.size < Math.max(1, options.concurrency) && next < plan.configs.length) {
      const index = next++;
      let h: RunOneHandle;
      try {
        h = options.runOne(index);
      } catch (e) {
        fail(index, e);
        return;
      }
      inFlight.set(index, h);
      h.done.then(
        (result) => {
          inFlight.delete(index);
          if (failed) return;
          if (!stopped && !result.stopped) {
            const c = collector.add(index, result);
            if (c) onEvent({ type: 'sweep-run', sweepId, result, ...c });
          }
          launch();
          finishIfIdle();
        },
        (e: unknown) => {
          inFlight.delete(index);
          fail(index, e);
        },
      );
    }
  };

  const fail = (index: number, e: unknown): void => {
    if (failed) return;
    failed = true;
    for (const h of inFlight.values()) h.stop();
    const err = e instanceof Error ? e : new Error(String(e));
    const label = plan.record.points[Math.floor(index / plan.record.seeds.length)]?.label ?? `#${index}`;
    const error = new Error(`run ${index + 1} (${label}) failed: ${err.message}`);
    error.name = err.name;
    onEvent({ type: 'sweep-error', sweepId, error: { name: error.name, message: error.message } });
    reject(error);
  };

  onEvent({ type: 'sweep-started', sweepId, record: plan.record });
  queueMicrotask(() => {
    launch();
    finishIfIdle();
  });
  return {
    collector,
    done,
    stop() {
      if (stopped) return;
      stopped = true;
      for (const h of inFlight.values()) h.stop();
      finishIfIdle();
    },
  };
}
