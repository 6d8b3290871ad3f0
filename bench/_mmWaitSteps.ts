// Diagnostics (not a bench): the scheduler steps of the bench's 64-vCPU scenario in one worker (deterministic),
// and how many of them are a vCPU's no-frame retry (a fault that returned -1: VCpu.run retries FRAME_RETRY_NS
// later) or a fault falling asleep on MGLRU's mm_state.wait (session 15 (f): PHASE_MM_WALK, mm/directReclaim.ts).
// Env: GUESTS (1,4), MS (200), SEED (1). Prints per scenario: steps (vCPU, kswapd), retry steps and their share,
// retries, mm_state.wait sleeps, hit rate, thread CPU.
import path from 'node:path';
import { loadavg } from 'node:os';
import { buildResult } from '../engine/core/sim/run.ts';
import type { Guest } from '../engine/core/sim/guest.ts';
import { loadPresetDir } from '../presets/node.ts';
import { hookMethod, loneCore, vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const MS = Number(process.env.MS ?? 200);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
for (const guests of (process.env.GUESTS ?? '1,4').split(',').map(Number)) {
  const c = vcpus64Scenario(hw, guests, 1, MS);
  c.run.seed = Number(process.env.SEED ?? 1);
  const { p, store, core } = loneCore(c);
  let retried = false;
  let retries = 0;
  let sleeps = 0;
  const steps = { vcpu: 0, kswapd: 0, other: 0, retry: 0 };
  const seen = new Set<Guest>();
  for (const a of core.actorList) {
    const g = (a as unknown as { g?: Guest }).g;
    const kind = g !== undefined ? 'vcpu' : a.constructor.name === 'Kswapd' ? 'kswapd' : 'other';
    hookMethod(
      a,
      'run',
      (run) =>
        function (this: unknown, limit: number): unknown {
          retried = false;
          const r = run.call(this, limit);
          steps[kind]++;
          if (retried) steps.retry++;
          return r;
        },
    );
    if (g === undefined || seen.has(g)) continue;
    seen.add(g);
    hookMethod(
      g,
      'fault',
      (fault) =>
        function (this: Guest, ...args: unknown[]): unknown {
          const e = fault.apply(this, args) as number;
          if (e === -1) {
            retries++;
            retried = true;
          } else if (e === -2 && this.throttledAt >= 0 && this.throttleQueue === 2) sleeps++;
          return e;
        },
    );
  }
  const c0 = cpu();
  core.loop();
  const ms = cpu() - c0;
  const r = buildResult(p, store.data, store.count, 0);
  const total = steps.vcpu + steps.kswapd + steps.other;
  console.log(
    `${guests} guest(s) ${MS} ms: steps ${total} (vCPU ${steps.vcpu}, kswapd ${steps.kswapd}), retry steps ${steps.retry} ` +
      `(${((100 * steps.retry) / total).toFixed(1)} %), retries ${retries}, mm_state.wait sleeps ${sleeps}, ` +
      `hit ${(100 * r.summary.hitRate).toFixed(3)} %, CPU ${ms.toFixed(0)} ms (load ${loadavg()[0].toFixed(1)})`,
  );
  core.close();
}
