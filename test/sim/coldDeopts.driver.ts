/**
 * Driver for coldDeopts.test.ts (not a test): one lone trace replay (replay.ts's fast path) in a fresh
 * process, so that `node --trace-deopt` sees a cold start. Usage: <policy> <capacity pages> <copies> [heat].
 * heat: the run also takes heat-map columns (a sink with `heat`, as the worker's), one per sample interval
 * (a run duration of 200 s: heatmap.ts heatIntervalNs), so the sampler's scanBin runs on every column.
 */
import type { ReclaimSpec } from '../../engine/protocol.ts';
import { prepareRun } from '../../engine/core/sim/run.ts';
import { selectReplay } from '../../engine/core/sim/replaySelect.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { cloudPhysicsTrace, oracleScenario, runOnThread } from './fixtures.ts';

const policy = process.argv[2] as ReclaimSpec['policy'];
const capacity = Number(process.argv[3]);
const copies = Number(process.argv[4]);
const c = oracleScenario({ policy, capacity });
c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 };
const once = cloudPhysicsTrace();
const pages = new Uint32Array(once.length * copies);
for (let i = 0; i < copies; i++) pages.set(once, i * once.length);
if (process.argv[5] === 'heat') {
  c.run.durationMs = 50_000;
  c.run.sampleIntervalMs = 250;
  const p = prepareRun(c, { cloudPhysicsIO: pages }, 1);
  let columns = 0;
  const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
    rows: () => {},
    progress: () => {},
    heat: () => void columns++,
  });
  const fast = selectReplay(core.actorList, p.config, p.plan);
  core.loop();
  core.close();
  console.log(`fast ${fast} heat columns ${columns}`);
} else {
  const { result, fast } = runOnThread(c, { cloudPhysicsIO: pages }, true);
  console.log(`fast ${fast} accesses ${result.summary.accesses} misses ${result.summary.misses}`);
}
