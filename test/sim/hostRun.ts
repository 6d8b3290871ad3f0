/** Run scenarios through the engine host on real worker_threads (the bundled 'sim-worker'). */
import { startRun, type RunHandle, type StartRunOptions } from '../../engine/host/engine.ts';
import { nodeSpawner } from '../../engine/host/node/spawn.ts';
import type { RunEvent, RunResult, ScenarioConfig } from '../../engine/protocol.ts';

// scripts/workers.mjs has no type declarations: load it by URL with the one signature we use.
const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};

export const simWorkerPath = (): string => workers.workerPath('sim-worker');

export interface HostRun {
  handle: RunHandle;
  events: RunEvent[];
}

export function startOnWorkers(config: ScenarioConfig, extra: Partial<StartRunOptions> = {}): HostRun {
  const events: RunEvent[] = [];
  const handle = startRun(config, {
    spawnWorker: nodeSpawner(simWorkerPath()),
    cores: 2,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { handle, events };
}

export async function runOnWorkers(config: ScenarioConfig, extra: Partial<StartRunOptions> = {}): Promise<RunResult> {
  return startOnWorkers(config, extra).handle.done;
}
