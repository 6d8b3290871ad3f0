/**
 * Routes RunEvents to the live run (split out of LabState, STYLE.md 14). Events may arrive before
 * startRun resolved with the run's id: while a start is in flight they are queued (bounded) and
 * replayed once the live run exists; other strays (the final 'state' of a run already finished) are
 * dropped. Not reactive: nothing renders from this bookkeeping.
 */
import type { RunEvent, RunResult } from '../../../engine/protocol.ts';
import type { LiveRun } from './liveRun.svelte.ts';

/** What the owner does with one event of the live run: the result when it finished, 'failed', or null. */
export type Deliver = (live: LiveRun, event: RunEvent) => RunResult | 'failed' | null;

export class RunRouter {
  readonly #pending = new Map<string, RunEvent[]>();
  readonly #finished = new Map<string, (result: RunResult | null) => void>();
  /** startRun calls in flight (events of unknown runs are queued only meanwhile). */
  #starting = 0;

  constructor(
    private readonly current: () => LiveRun | null,
    private readonly deliver: Deliver,
  ) {}

  onEvent(event: RunEvent): void {
    const live = this.current();
    if (!live || live.runId !== event.runId) {
      if (this.#starting === 0) return;
      const q = this.#pending.get(event.runId) ?? [];
      if (q.length < 10_000) q.push(event);
      this.#pending.set(event.runId, q);
      return;
    }
    this.#route(live, event);
  }

  /** Runs `start` (a startRun call) with event queueing on. */
  async starting<T>(start: () => Promise<T>): Promise<T> {
    this.#starting++;
    try {
      return await start();
    } finally {
      this.#starting--;
    }
  }

  /** `live` is now the current run: replays its queued events; resolves when it finished (null: failed). */
  attach(live: LiveRun): Promise<RunResult | null> {
    const finished = new Promise<RunResult | null>((resolve) => this.#finished.set(live.runId, resolve));
    const queued = this.#pending.get(live.runId) ?? [];
    this.#pending.clear();
    for (const e of queued) this.#route(live, e);
    return finished;
  }

  #route(live: LiveRun, event: RunEvent): void {
    const out = this.deliver(live, event);
    if (out === null) return;
    const f = this.#finished.get(live.runId);
    this.#finished.delete(live.runId);
    f?.(out === 'failed' ? null : out);
  }
}
