// Diagnostics (not a bench): thread CPU of the heat-map sampler against the whole run, 64 vCPUs in GUESTS
// guest(s), one worker in process (sim/run.ts runInProcess), heat map on vs off. Env: GUESTS (1), MS (200).
import { loadavg } from 'node:os';
import path from 'node:path';
import { runInProcess } from '../engine/core/sim/run.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const config = vcpus64Scenario(hw, Number(process.env.GUESTS ?? 1), 1, Number(process.env.MS ?? 200));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};
for (const heatmap of [false, true, false, true]) {
  const c0 = cpu();
  const r = runInProcess(config, {}, { heatmap });
  console.log(
    `heatmap ${heatmap}: CPU ${(cpu() - c0).toFixed(0)} ms, hit ${(100 * r.summary.hitRate).toFixed(4)} %, columns ${r.heatmap?.guests[0].tMs.length ?? 0}, load ${loadavg()[0].toFixed(2)}`,
  );
}
