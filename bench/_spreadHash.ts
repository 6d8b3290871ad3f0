// Diagnostics (not a bench): hashes of one-thread spread runs (runInterleaved over 2 workers, both orders),
// summary and samples (wall time and the heat map's timing-free data included; wallMs excluded), so a
// change that must not move any MMU-lock grant is checked run for run (session 11, c: the shared
// calendar's per-worker read lists). Also the calendar's middle insertions (diagnostic counters).
// Env: MS (100), GUESTS (comma list, 4,1), SEED (1).
import { createHash } from 'node:crypto';
import path from 'node:path';
import { runInterleaved } from '../engine/core/sim/run.ts';
import { loadPresetDir } from '../presets/node.ts';
import { vcpus64Scenario } from './_util.ts';

const hw = loadPresetDir(path.join(process.cwd(), 'presets')).set.hardware.get('ampere-altra')!;
const MS = Number(process.env.MS ?? 100);
for (const guests of (process.env.GUESTS ?? '4,1').split(',').map(Number))
  for (const order of [
    [0, 1],
    [1, 0],
  ]) {
    const c = vcpus64Scenario(hw, guests, 2, MS);
    c.run.seed = Number(process.env.SEED ?? 1);
    const r = runInterleaved(c, 2, order);
    const { wallMs: _w, ...rest } = r;
    const h = createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 16);
    console.log(
      `guests ${guests} order ${order.join(',')}: accesses ${r.summary.accesses} hit ${(100 * r.summary.hitRate).toFixed(3)} % sha ${h}`,
    );
  }
