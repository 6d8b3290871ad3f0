/**
 * The lone worker bundle (scripts/workers.mjs 'sim-worker-lone', engine/core/sync/atomicsLone.ts): one-worker
 * runs with the arena's atomics fixed plain at build time. Its runs must equal the general bundle's, counter
 * for counter (atomicsLone.ts: in one agent a plain operation returns what the Atomics method returns); it
 * must refuse a run with more than one worker (its plain operations would race another agent); and the
 * CLI's spawner (messages.ts loneAwareSpawner) must give it exactly the one-worker runs.
 *
 * Negative control, run by hand: with atomicsLone.ts's `add` returning the new value instead of the old one
 * (`return a[i] = old + v`), the first test failed (the summaries differ); with workerMain.ts's LONE_AGENT
 * check removed, the second failed (the two-worker run did not reject with the message).
 */
import { describe, expect, it } from 'vitest';
import { nodeSpawner } from '../../engine/host/node/spawn.ts';
import { loneAwareSpawner, type SimWorkerData, type WorkerLike } from '../../engine/host/messages.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { cloudPhysicsTrace, debateScenario, hardware, oracleScenario } from '../sim/fixtures.ts';
import { runOnWorkers, simWorkerPath } from '../sim/hostRun.ts';

const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};
const lonePath = (): string => workers.workerPath('sim-worker-lone');
const traces = { cloudPhysicsIO: cloudPhysicsTrace() };

describe('lone worker bundle', () => {
  it('gives the general bundle’s results for one-worker runs (replays of three policies, a general-path run)', async () => {
    const altra = hardware('ampere-altra');
    const configs: ScenarioConfig[] = [
      oracleScenario({ policy: 'exact-lru', capacity: 2000 }),
      oracleScenario({ policy: 'clock', capacity: 2000 }),
      oracleScenario({ policy: 'mglru', capacity: 2000 }),
      // Not a replay: the general vCPU path, aging and the MMU lock, one worker.
      debateScenario({ hw: altra, harvest: 'lockless', durationMs: 60, deterministic: true }),
    ];
    for (const config of configs) {
      const general = await runOnWorkers(config, { spawnWorker: nodeSpawner(simWorkerPath()), traces });
      const lone = await runOnWorkers(config, { spawnWorker: nodeSpawner(lonePath()), traces });
      expect(lone.summary.misses).toBeGreaterThan(0);
      expect(lone.summary).toEqual(general.summary);
      expect(lone.samples).toEqual(general.samples);
    }
  }, 120_000);

  it('refuses a run with two workers', async () => {
    const altra = hardware('ampere-altra');
    const cfg = debateScenario({ hw: altra, harvest: 'lockless', durationMs: 20, deterministic: false, workers: 2 });
    await expect(runOnWorkers(cfg, { spawnWorker: nodeSpawner(lonePath()), cores: 2 })).rejects.toThrow(
      /serves one-worker runs only \(this run has 2\)/,
    );
  }, 60_000);

  it('loneAwareSpawner gives one-worker runs to the lone spawner and every other run to the general one', () => {
    const got: string[] = [];
    const fake = (name: string) => (): WorkerLike => {
      got.push(name);
      return {} as WorkerLike;
    };
    const spawn = loneAwareSpawner(fake('general'), fake('lone'));
    for (const workers of [1, 2, 4, 1]) spawn({ plan: { workers } } as SimWorkerData);
    expect(got).toEqual(['lone', 'general', 'general', 'lone']);
  });
});
