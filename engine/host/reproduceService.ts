/**
 * The reproduction side of LabApi, shared by both hosts (web/labApi.ts on Web Workers, main/ on
 * worker_threads): list the reproductions with their inputs, run the ones asked for in the background
 * (engine/host/reproduce.ts, the runner `lab reproduce` uses too), deliver ReproEvents to the owner
 * that started them. Runtime-neutral: runs start through the injected `startRun`.
 *
 * Contract: `start` checks the ids (untrusted: IPC) and resolves every run's config before anything
 * runs, and returns a Result; afterwards everything arrives as events. One job at a time per owner (a
 * second start while one runs is refused with a clear message). A job is stopped only by its owner.
 */
import type {
  ReproEvent,
  ReproductionInfo,
  ReproStartOptions,
  Result,
  RunResult,
  ScenarioConfig,
} from '../protocol.ts';
import type { PresetSet } from '../core/config/presetSet.ts';
import { reproductionInfos } from '../core/repro/info.ts';
import { pickReproductions, reproductionConfigs } from '../core/repro/reproductions.ts';
import { runReproductionJob, type ReproJob } from './reproduce.ts';

export interface ReproServiceDeps {
  presets(): PresetSet;
  /** Starts one validated, deterministic run; progress is its fraction done. Throws for a refused config. */
  startRun(config: ScenarioConfig, onProgress: (fraction: number) => void): { done: Promise<RunResult>; stop(): void };
  /** Runs at a time (defaultReproConcurrency of the cores). */
  concurrency(): number;
}

export interface ReproOwner {
  id: number;
  send(event: ReproEvent): void;
}

/** Most ids one start may name (there are a handful of reproductions; the argument is untrusted). */
const MAX_IDS = 64;
/** Longest hardware profile id a what-if may name (ids are short slugs; the argument is untrusted). */
const MAX_PROFILE_ID = 100;

let jobCounter = 0;

const bad = <T>(message: string): Result<T> => ({ ok: false, error: { name: 'BadArgument', message } });

export class ReproductionService {
  private readonly jobs = new Map<string, { job: ReproJob; ownerId: number }>();

  constructor(private readonly deps: ReproServiceDeps) {}

  list(): Result<ReproductionInfo[]> {
    const picked = pickReproductions(undefined);
    if (!picked.ok) return picked;
    return reproductionInfos(this.deps.presets(), picked.value);
  }

  /** `options` (untrusted, ReproStartOptions): a profile what-if; an unknown profile is an error naming the known ones. */
  start(ids: unknown, owner: ReproOwner, options?: unknown): Result<{ jobId: string }> {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS || ids.some((x) => typeof x !== 'string'))
      return bad(`startReproductions expects a list of 1 to ${MAX_IDS} reproduction ids`);
    const opts = startOptions(options);
    if (!opts.ok) return opts;
    const profile = opts.value.profile;
    for (const j of this.jobs.values())
      if (j.ownerId === owner.id)
        return {
          ok: false,
          error: { name: 'ReproductionBusy', message: 'reproductions are already running: stop them first' },
        };
    const picked = pickReproductions(ids as string[]);
    if (!picked.ok) return picked;
    const configs = reproductionConfigs(this.deps.presets(), picked.value, profile);
    if (!configs.ok) return configs;
    const jobId = `repro-${++jobCounter}-${Date.now().toString(36)}`;
    const job = runReproductionJob({
      jobId,
      repros: picked.value,
      configs: configs.value,
      concurrency: this.deps.concurrency(),
      ...(profile === undefined ? {} : { profile }),
      startRun: (_key, config, onProgress) => this.deps.startRun(config, onProgress),
      onEvent: (e) => owner.send(e),
    });
    this.jobs.set(jobId, { job, ownerId: owner.id });
    void job.done.finally(() => this.jobs.delete(jobId));
    return { ok: true, value: { jobId } };
  }

  /** Stops a job of this owner; false for an unknown or foreign id. */
  stop(jobId: unknown, ownerId: number): boolean {
    const j = typeof jobId === 'string' ? this.jobs.get(jobId) : undefined;
    if (!j || j.ownerId !== ownerId) return false;
    j.job.stop();
    return true;
  }

  stopAllOf(ownerId: number): void {
    for (const j of this.jobs.values()) if (j.ownerId === ownerId) j.job.stop();
  }
}

/** The start options as sent (undefined = as published); anything else is a BadArgument naming the field. */
function startOptions(x: unknown): Result<ReproStartOptions> {
  if (x === undefined || x === null) return { ok: true, value: {} };
  if (typeof x !== 'object' || Array.isArray(x)) return bad('startReproductions: options must be an object');
  const extra = Object.keys(x).filter((k) => k !== 'profile');
  if (extra.length > 0) return bad(`startReproductions: unknown option '${extra[0]}' (known: profile)`);
  const profile = (x as { profile?: unknown }).profile;
  if (profile === undefined) return { ok: true, value: {} };
  if (typeof profile !== 'string' || profile.length === 0 || profile.length > MAX_PROFILE_ID)
    return bad(`startReproductions: profile must be a hardware profile id (1 to ${MAX_PROFILE_ID} characters)`);
  return { ok: true, value: { profile } };
}
