import type { startRun } from '../host/engine.ts';
import type { SpawnWorker } from '../host/messages.ts';
import { nodeSimSpawner, nodeSpawner } from '../host/node/spawn.ts';

/** What the CLI needs from its environment; main.ts builds it from the process, tests may fake parts. */
export interface CliContext {
  /** Repository root (presets/, .cache/workers/, ../shared/data/traces are found from it). */
  root: string;
  presetDir: string;
  /** The bundled simulation worker (scripts/workers.mjs 'sim-worker'). */
  workerPath: string;
  /** The lone worker bundle for one-worker runs ('sim-worker-lone', core/sync/atomicsLone.ts); none: workerPath. */
  loneWorkerPath?: string;
  appVersion: string;
  cores: number;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Draw a progress bar (stderr is a terminal). */
  tty: boolean;
  /** stdout's width in columns when it is a terminal; absent otherwise (text then wraps at 100, textWidth). */
  columns?: number;
  /** Registers a Ctrl-C handler for the duration of a run; returns the unregister function. */
  onInterrupt: (handler: () => void) => () => void;
  /** Ends the process now (a second Ctrl-C); tests record the code instead. */
  exit: (code: number) => void;
  /**
   * How runs get their simulation workers: processContext passes a pool of kept workers
   * (engine/host/workerPool.ts); without it, each run starts fresh workers from workerPath.
   */
  spawnWorker?: SpawnWorker;
  /** Ends the kept workers (runCli calls it when the command is done). */
  closeWorkers?: () => void;
  /** Test seam: how a run starts (default engine/host's startRun), e.g. to inject a failing run. */
  startRun?: typeof startRun;
}

/** The SpawnWorker for this CLI's runs: the context's kept workers, or a fresh worker per run. */
export function simWorkers(ctx: CliContext): SpawnWorker {
  if (ctx.spawnWorker) return ctx.spawnWorker;
  return ctx.loneWorkerPath === undefined
    ? nodeSpawner(ctx.workerPath)
    : nodeSimSpawner(ctx.workerPath, ctx.loneWorkerPath);
}
