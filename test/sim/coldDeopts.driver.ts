/**
 * Driver for coldDeopts.test.ts (not a test): one lone trace replay (replay.ts's fast path) in a fresh
 * process, so that `node --trace-deopt` sees a cold start. Usage: <policy> <capacity pages> <copies>.
 */
import type { ReclaimSpec } from '../../engine/protocol.ts';
import { cloudPhysicsTrace, oracleScenario, runOnThread } from './fixtures.ts';

const policy = process.argv[2] as ReclaimSpec['policy'];
const capacity = Number(process.argv[3]);
const copies = Number(process.argv[4]);
const c = oracleScenario({ policy, capacity });
c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0, thinkNs: 0 };
const once = cloudPhysicsTrace();
const pages = new Uint32Array(once.length * copies);
for (let i = 0; i < copies; i++) pages.set(once, i * once.length);
const { result, fast } = runOnThread(c, { cloudPhysicsIO: pages }, true);
console.log(`fast ${fast} accesses ${result.summary.accesses} misses ${result.summary.misses}`);
