/**
 * The engine's protocol (engine/protocol.ts, which re-exports this file): parameter sweeps (issue 9), the
 * spec a user writes, its expansion into runs, a sweep as a session saves it, the per-point statistics,
 * its events and SweepApi, the sweep methods of LabApi. Types only.
 */
import type { ErrorInfo, Result, RunResult, RunSummary, ScenarioConfig } from '../protocol.ts';

/** A value a sweep axis takes: a number (memory, vCPUs...), a string (policy, harvest, profile id) or a flag. */
export type SweepValue = number | string | boolean;

/**
 * One axis of a sweep spec: a list of values, a range of `steps` values from `from` to `to` (both
 * included; `scale: 'log'` spaces them geometrically), or a range by `step`.
 */
export type SweepAxisSpec =
  | SweepValue[]
  | { from: number; to: number; steps: number; scale?: 'linear' | 'log' }
  | { from: number; to: number; step: number };

/**
 * A sweep as the user writes it (JSON file, or built in the UI). Keys of `axes` and `set` are config
 * paths (engine/core/config/overrides.ts: `host.memoryMiB`, `guests.web.vcpus`, `reclaim.harvest`) or
 * `hardware` (a profile id). The runs are the product of the axes (or, with `mode: 'zip'`, the axes
 * taken side by side), each run once per seed. Every run is deterministic (one worker), so a run's
 * result depends only on its config and seed, wherever it runs.
 */
export interface SweepSpec {
  name?: string;
  /** Scenario preset id (or, on the command line, a scenario JSON file). */
  scenario: string;
  axes: Record<string, SweepAxisSpec>;
  /** Seeds, or `{ count, first }` for first, first+1, ... (first defaults to 1). */
  seeds: number[] | { count: number; first?: number };
  mode?: 'product' | 'zip';
  /** Fixed overrides applied to every run before the axes (e.g. `run.durationMs`). */
  set?: Record<string, SweepValue>;
}

export interface SweepAxis {
  path: string;
  values: SweepValue[];
}

export interface SweepPoint {
  /** One value per axis, in axis order. */
  values: SweepValue[];
  /** What the point changes, e.g. 'host 768 MiB · clock'. */
  label: string;
  /** Index into the session's runs of this point's run for each seed (in seed order); -1 until it has run. */
  runs: number[];
}

/** A sweep as saved in a session (SessionData.sweeps): the expanded spec and where each run's result is. */
export interface SweepRecord {
  name: string;
  scenario: string;
  /** The scenario as resolved before any axis (with `set` and the first seed applied). */
  base: ScenarioConfig;
  axes: SweepAxis[];
  mode: 'product' | 'zip';
  seeds: number[];
  set: { path: string; value: SweepValue }[];
  points: SweepPoint[];
}

/** A summary metric over a point's seeds: mean and the half-width of its 95 % Student-t interval (NaN for n < 2). */
export interface MetricStat {
  mean: number;
  ci95: number;
  n: number;
}

/** Per metric (every numeric RunSummary field, plus missRatio = misses / accesses). */
export type PointStats = Record<string, MetricStat>;

export type SweepEvent =
  | { type: 'sweep-started'; sweepId: string; record: SweepRecord }
  /** One run finished; `stats` covers the point's seeds done so far. */
  | {
      type: 'sweep-run';
      sweepId: string;
      pointIndex: number;
      seedIndex: number;
      result: RunResult;
      stats: PointStats;
      done: number;
      total: number;
    }
  | { type: 'sweep-done'; sweepId: string; record: SweepRecord; stopped: boolean }
  | { type: 'sweep-error'; sweepId: string; error: ErrorInfo };

/** The sweep methods of LabApi (kept in their own interface so both hosts implement them together). */
export interface SweepApi {
  /** Validates the spec (every point's config, clear message on the first bad one) and starts the sweep. */
  startSweep(
    spec: SweepSpec,
    options?: { workers?: number },
  ): Promise<Result<{ sweepId: string; record: SweepRecord }>>;
  stopSweep(sweepId: string): Promise<void>;
  onSweepEvent(listener: (event: SweepEvent) => void): () => void;
  /** Each point's statistics from its runs' summaries (a sweep reopened from a session). */
  sweepStats(points: RunSummary[][]): Promise<Result<PointStats[]>>;
}
