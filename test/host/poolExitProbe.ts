/**
 * Child process of test/host/workerPool.test.ts: one run on a kept worker (idle timeout 10 minutes),
 * then nothing: no close(), no process.exit. The process must end as soon as the run is done (the
 * idle worker and its timer are unref'd); a hang means an idle kept worker holds the process.
 * argv[2]: the bundled sim-worker; argv[3]: a ScenarioConfig as JSON.
 */
import { startRun } from '../../engine/host/engine.ts';
import { nodeWorkerPool } from '../../engine/host/node/spawn.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';

const pool = nodeWorkerPool(process.argv[2], { idleMs: 600_000 });
const config = JSON.parse(process.argv[3]) as ScenarioConfig;
const r = await startRun(config, { spawnWorker: pool.spawn, onEvent: () => {} }).done;
console.log(`accesses ${r.summary.accesses} idle ${pool.stats().idle}`);
