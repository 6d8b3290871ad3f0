// Not a bench (leading _): counts of MGLRU's eviction branches in a lone trace replay (in process).
// Usage: npx esbuild bench/_mglruDiag.ts --bundle --platform=node --format=esm --outfile=.cache/bench/_mglruDiag.mjs
//        node .cache/bench/_mglruDiag.mjs [copies]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../engine/core/sim/run.ts';
import { repeatTrace, replayScenario } from './_util.ts';
import { parseTrace } from '../engine/core/trace/index.ts';
import { loadPresetDir } from '../presets/node.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';

const root = process.cwd();
const copies = Number(process.argv[2] ?? 10);
const policy = (process.argv[3] ?? 'mglru') as 'mglru';
const file = path.resolve(root, '../shared/data/traces/cloudPhysicsIO.oracleGeneral.bin');
const t = repeatTrace(parseTrace(file, readFileSync(file)).pageIds, copies);
const hw = loadPresetDir(path.join(root, 'presets')).set.hardware.get('ampere-altra')!;
const n: Record<string, number> = {};
/* eslint-disable @typescript-eslint/no-explicit-any */
function wrap(proto: any, name: string, key = name): void {
  const f = proto[name];
  proto[name] = function (this: unknown, ...a: unknown[]) {
    n[key] = (n[key] ?? 0) + 1;
    return f.apply(this, a);
  };
}
const mp = Mglru.prototype as any;
for (const m of [
  'pickVictim',
  'activate',
  'protect',
  'promote',
  'incMinSeq',
  'incMaxSeqNoWalk',
  'beginAging',
  'ageStep',
  'evicted',
  'onMap',
  'isEmpty',
])
  wrap(mp, m);
wrap(Pgdat.prototype, 'referenced');
wrap(Pgdat.prototype, 'walk');
wrap(Harvester.prototype, 'lookAroundBatch');
wrap(Harvester.prototype, 'folioReferenced', 'h.folioReferenced');
const r = runInProcess(replayScenario(hw, 10000, policy, 'x'), { x: t });
console.log('accesses', r.summary.accesses, 'misses', r.summary.misses);
console.log(n);
