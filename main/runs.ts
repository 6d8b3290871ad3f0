/**
 * Runs hosted by main, each owned by the renderer (webContents) that started it.
 *
 * The engine itself (engine/host) runs the simulation on worker_threads and calls onEvent from the
 * main thread's event loop; nothing here blocks. Events of a run go only to its owner; a renderer may
 * pause, resume or stop only its own runs; when a renderer goes away its runs are stopped.
 */
import type { RunEvent, ScenarioConfig } from '../engine/protocol.ts';

/** What engine/host's startRun returns, reduced to what main needs. */
export interface RunHandleLike {
  readonly runId: string;
  pause(): void;
  resume(): void;
  stop(): void;
  readonly done: Promise<unknown>;
}

/**
 * Starts one run of a validated config; events arrive through onEvent (never synchronously re-entrant).
 * `traces`: page ids of the traces the config's trace workloads replay (by name).
 */
export type StartRun = (
  config: ScenarioConfig,
  onEvent: (event: RunEvent) => void,
  traces: Record<string, Uint32Array>,
) => RunHandleLike;

/** A renderer that receives a run's events. */
export interface RunOwner {
  readonly id: number;
  send(event: RunEvent): void;
  isDestroyed(): boolean;
}

/**
 * Runs one window may have going at once. Each run takes up to cores - 1 worker threads and its own
 * shared buffers; without a limit a renderer could start hundreds (25 runs were 100 threads).
 */
export const MAX_RUNS_PER_WINDOW = 4;

/** A start refused because the window already has its maximum of runs going. */
export class RunLimitError extends Error {
  override readonly name = 'TooManyRuns';
}

export class RunRegistry {
  private readonly runs = new Map<string, { handle: RunHandleLike; owner: RunOwner }>();

  constructor(
    private readonly startRun: StartRun,
    private readonly maxPerOwner = MAX_RUNS_PER_WINDOW,
  ) {}

  /** Runs of this owner not yet finished (a stopped run counts until its workers are done). */
  activeCount(ownerId: number): number {
    let n = 0;
    for (const run of this.runs.values()) if (run.owner.id === ownerId) n++;
    return n;
  }

  start(config: ScenarioConfig, owner: RunOwner, traces: Record<string, Uint32Array> = {}): { runId: string } {
    if (this.activeCount(owner.id) >= this.maxPerOwner)
      throw new RunLimitError(
        `this window already has ${this.maxPerOwner} runs going: stop one or wait for one to finish before starting another`,
      );
    // Events can arrive before startRun returns (e.g. 'starting'): buffer them until the handle exists.
    let runId: string | null = null;
    const early: RunEvent[] = [];
    const onEvent = (event: RunEvent) => {
      if (runId === null) early.push(event);
      else this.deliver(runId, owner, event);
    };
    const handle = this.startRun(config, onEvent, traces);
    runId = handle.runId;
    this.runs.set(runId, { handle, owner });
    for (const e of early) this.deliver(runId, owner, e);
    // Forget the run when it ends, however it ends (done, error, stop).
    const id = runId;
    handle.done.then(
      () => this.runs.delete(id),
      () => this.runs.delete(id),
    );
    return { runId };
  }

  /** Pause/resume/stop a run the owner started; an unknown or foreign runId is refused (false). */
  control(runId: string, owner: RunOwner, action: 'pause' | 'resume' | 'stop'): boolean {
    const run = this.runs.get(runId);
    if (!run || run.owner.id !== owner.id) return false;
    switch (action) {
      case 'pause':
        run.handle.pause();
        return true;
      case 'resume':
        run.handle.resume();
        return true;
      case 'stop':
        run.handle.stop();
        return true;
      default:
        return action satisfies never;
    }
  }

  /** Stop every run of a renderer that went away (window closed, renderer crashed). */
  stopAllOf(ownerId: number): void {
    for (const run of this.runs.values()) if (run.owner.id === ownerId) run.handle.stop();
  }

  get activeRunIds(): string[] {
    return [...this.runs.keys()];
  }

  private deliver(runId: string, owner: RunOwner, event: RunEvent): void {
    if (owner.isDestroyed()) {
      this.runs.get(runId)?.handle.stop();
      return;
    }
    owner.send(event);
  }
}
