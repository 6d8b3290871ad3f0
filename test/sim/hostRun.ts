/** Run scenarios through the engine host on real worker_threads (the bundled 'sim-worker'). */
import { startRun, type RunHandle, type StartRunOptions } from '../../engine/host/engine.ts';
import { nodeSpawner } from '../../engine/host/node/spawn.ts';
import { atomics } from '../../engine/core/sync/atomics.ts';
import { attachSimViews, CTL_FREE_FRAMES, type SimViews } from '../../engine/core/sim/simLayout.ts';
import type { RunEvent, RunResult, ScenarioConfig } from '../../engine/protocol.ts';

// scripts/workers.mjs has no type declarations: load it by URL with the one signature we use.
const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};

export const simWorkerPath = (): string => workers.workerPath('sim-worker');

export interface HostRun {
  handle: RunHandle;
  events: RunEvent[];
  /**
   * The first event `accept` takes (one already emitted or a later one). Rejects, naming `what`, when
   * the run ends ('done' or 'error') without one: a test waiting on it fails at once, not at its timeout.
   */
  until<E extends RunEvent>(accept: (e: RunEvent) => e is E, what: string): Promise<E>;
  /**
   * Resolves at the first poll (every `pollMs`) that finds the host's free-frame count (CTL_FREE_FRAMES,
   * shared) off the run's starting count: a vCPU took a frame for a stage-2 fault, so the run's first
   * access is under way. Unlike 'progress', which the serial section sends at a quantum's end, this is
   * seen inside the first quantum. Not for a workload with the host pre-fault (prefault.ts takes frames
   * before any vCPU runs). Rejects when the run ends first.
   */
  firstFault(pollMs?: number): Promise<void>;
  /**
   * Polls (every `pollMs`) the run's live virtual clock, the latest eviction time of any guest page
   * (pagesF64, which the owning worker writes at each eviction, guest.ts, mid-quantum), and resolves with
   * the first reading `accept` takes. Needs a run that evicts. Rejects when the run ends first.
   */
  untilEvictedAt(accept: (virtualNs: number) => boolean, pollMs?: number): Promise<number>;
}

export function startOnWorkers(config: ScenarioConfig, extra: Partial<StartRunOptions> = {}): HostRun {
  const events: RunEvent[] = [];
  const listeners = new Set<(e: RunEvent) => void>();
  let sim: SimViews | undefined;
  let frames0 = 0;
  const handle = startRun(config, {
    spawnWorker: nodeSpawner(simWorkerPath()),
    cores: 2,
    ...extra,
    onEvent: (e) => {
      events.push(e);
      for (const l of [...listeners]) l(e);
      extra.onEvent?.(e);
    },
    onPrepared: (buffers) => {
      sim = attachSimViews(buffers);
      frames0 = atomics.load(sim.control, CTL_FREE_FRAMES); // initSimState's plan.hostFrames; no worker yet
      extra.onPrepared?.(buffers);
    },
  });
  let ended = false;
  handle.done.then(
    () => void (ended = true),
    () => void (ended = true),
  );

  const until = <E extends RunEvent>(accept: (e: RunEvent) => e is E, what: string): Promise<E> =>
    new Promise<E>((resolve, reject) => {
      const seen = events.find(accept);
      if (seen !== undefined) return resolve(seen);
      if (events.some((e) => e.type === 'done' || e.type === 'error'))
        return reject(new Error(`the run ended before ${what}`));
      const l = (e: RunEvent): void => {
        if (accept(e)) {
          listeners.delete(l);
          resolve(e);
        } else if (e.type === 'done' || e.type === 'error') {
          listeners.delete(l);
          reject(new Error(`the run ended before ${what}`));
        }
      };
      listeners.add(l);
    });

  const poll = async (what: string, pollMs: number, read: () => number, accept: (x: number) => boolean) => {
    for (;;) {
      const x = read();
      if (accept(x)) return x;
      if (ended) throw new Error(`the run ended before ${what}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const views = (): SimViews => {
    if (sim === undefined) throw new Error('the run has no shared buffers (startRun failed?)');
    return sim;
  };

  const firstFault = async (pollMs = 5): Promise<void> => {
    const c = views().control;
    await poll(
      'its first stage-2 fault',
      pollMs,
      () => atomics.load(c, CTL_FREE_FRAMES),
      (f) => f !== frames0,
    );
  };

  const untilEvictedAt = (accept: (virtualNs: number) => boolean, pollMs = 1): Promise<number> => {
    const pages = views().pagesF64;
    const latest = (): number => {
      let t = -Infinity;
      for (const g of pages) for (let i = 0; i < g.length; i++) if (g[i] > t) t = g[i];
      return t;
    };
    return poll('an eviction time the test waits for', pollMs, latest, (t) => t > 0 && accept(t));
  };

  return { handle, events, until, firstFault, untilEvictedAt };
}

export async function runOnWorkers(config: ScenarioConfig, extra: Partial<StartRunOptions> = {}): Promise<RunResult> {
  return startOnWorkers(config, extra).handle.done;
}
