/**
 * The engine's protocol (engine/protocol.ts, which re-exports this file): reproductions (issue 7), the
 * published figures and bands, a reproduction's runs and inputs as listed, its results and events, and
 * ReproductionApi, the reproduction methods of LabApi. Types only.
 */
import type { ErrorInfo, HarvestMode, ReclaimPolicy, Result, RunSummary, SampleColumns } from '../protocol.ts';

/** A checked figure of a reproduction (engine/core/repro/reproductions.ts): published value and band. */
export interface ReproFigureInfo {
  id: string;
  label: string;
  published: number;
  /** Inclusive bounds; null = unbounded on that side. */
  band: [number | null, number | null];
  /** The band as the CLI prints it ('[1.3, 1.8]', '>= 5', '<= -0.25'). */
  bandText: string;
}

/** One input of a reproduction's runs, with where its value comes from. */
export interface ReproInput {
  name: string;
  value: string;
  source: string;
}

/** A reproduction as listed (LabApi.listReproductions): what it compares, its runs and their inputs. */
export interface ReproductionInfo {
  id: string;
  title: string;
  /** Where the published result is (a lore.kernel.org message). */
  source: string;
  /**
   * How to read its figures (engine/core/repro/reproductions.ts Reproduction.note): where the published
   * figure was measured when the lab runs it elsewhere, or the mechanism the lab is known to lack.
   */
  note: string;
  /** The scenario preset holding the published setup: its name and description (figure, source, setup). */
  scenario: string;
  scenarioName: string;
  description: string;
  /** The runs: only what the published comparison changes (harvest mode, reclaim policy). */
  variants: { key: string; harvest: HarvestMode; policy: ReclaimPolicy }[];
  figures: ReproFigureInfo[];
  /** Setup values (from the preset) and costs (from the hardware profile), each with its source. */
  inputs: ReproInput[];
}

export interface ReproFigureResult extends ReproFigureInfo {
  lab: number;
  inBand: boolean;
}

/** One finished run of a reproduction: its summary and its sampled curves. */
export interface ReproRun {
  /** The variant's key within its reproduction (e.g. 'before', 'after'). */
  key: string;
  harvest: HarvestMode;
  policy: ReclaimPolicy;
  summary: RunSummary;
  samples: SampleColumns;
  wallMs: number;
}

export interface ReproductionResult {
  id: string;
  /** Set on a what-if (ReproStartOptions.profile): the hardware profile every run used. */
  profile?: string;
  figures: ReproFigureResult[];
  runs: ReproRun[];
}

/**
 * How a reproduction job runs. `profile`: a what-if, every run on this hardware profile instead of its
 * reproduction's own, bands as published (`lab reproduce --profile`; e.g. the v1 test on the x86
 * workstation it was published on).
 */
export interface ReproStartOptions {
  profile?: string;
}

/**
 * Events of a reproduction job (LabApi.startReproductions): 'repro-progress' while runs go (`done` of
 * `total` runs finished, `fraction` of the whole job in virtual time), one 'repro-result' per
 * reproduction as soon as its runs are done, then 'repro-done' (stopped: the user stopped it; the
 * reproductions not yet complete give no result) or 'repro-error' (a run failed; earlier results stand).
 */
export type ReproEvent =
  | { type: 'repro-progress'; jobId: string; running: string[]; fraction: number; done: number; total: number }
  | { type: 'repro-result'; jobId: string; result: ReproductionResult }
  | { type: 'repro-done'; jobId: string; stopped: boolean }
  | { type: 'repro-error'; jobId: string; error: ErrorInfo };

/** The reproduction methods of LabApi (both hosts: engine/host/reproduceService.ts). */
export interface ReproductionApi {
  listReproductions(): Promise<Result<ReproductionInfo[]>>;
  /** Runs the reproductions named (runs they share run once), in the background; one job at a time per window. */
  startReproductions(ids: string[], options?: ReproStartOptions): Promise<Result<{ jobId: string }>>;
  stopReproductions(jobId: string): Promise<void>;
  onReproductionEvent(listener: (event: ReproEvent) => void): () => void;
}
