import { it } from 'vitest';
import { oracleScenario, hardware, cloudPhysicsTrace } from '../sim/fixtures.ts';
import { runOnWorkers } from '../sim/hostRun.ts';
import { COST_KEYS } from '../../engine/protocol.ts';

it('zero cost', async () => {
  const hw = structuredClone(hardware('ampere-altra'));
  for (const k of COST_KEYS) hw.costs[k].ns = 0;
  hw.costs.memAccess.ns = Number(process.env.MEM ?? 1);
  for (const policy of ['mglru', 'exact-lru', 'clock'] as const) {
    const c = oracleScenario({ policy, capacity: 10000, hw });
    c.run.durationMs = 5000;
    try {
      const r = await runOnWorkers(c, { traces: { cloudPhysicsIO: cloudPhysicsTrace() } });
      console.log(policy, r.summary.accesses, r.summary.virtualMs, r.wallMs);
    } catch (e) { console.log(policy, 'ERR', (e as Error).message); }
  }
}, 120000);
