// Diagnostics of seed-debate per harvest mode (not a bench): per guest, hit rate, refaults, evictions,
// eviction precision; the eviction check's outcome (folio_referenced young -> kept, old -> evicted);
// and for each victim the number of generations since it was last placed young (fault, walk promotion,
// activation) and whether an aging walk visited it since. Bundle and run:
//   npx esbuild bench/_harvestAudit.ts --bundle --platform=node --format=esm --outfile=/tmp/audit.mjs && node /tmp/audit.mjs <harvest> [durationMs]
import { runInProcess } from '../engine/core/sim/run.ts';
import { resolveScenario } from '../engine/core/config/index.ts';
import { loadPresetDir } from '../presets/node.ts';
import { Pgdat } from '../engine/core/mm/pgdat.ts';
import { Mglru } from '../engine/core/mm/policy/mglru.ts';
import type { HarvestMode, ScenarioConfig } from '../engine/protocol.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const harvest = (process.argv[2] ?? 'lockless') as HarvestMode;
const dur = Number(process.argv[3] ?? 1500);
const r = resolveScenario(loadPresetDir(process.cwd() + '/presets').set, 'seed-debate', { hardware: 'ampere-altra' });
if (!r.ok) throw new Error(r.error.message);
const config = JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
config.reclaim.harvest = harvest;
config.run.durationMs = dur;
config.run.deterministic = true;
// POLICY=exact-lru|clock|active-inactive: the same scenario under another policy, to compare.
if (process.env.POLICY) config.reclaim.policy = process.env.POLICY as ScenarioConfig['reclaim']['policy'];

const pages = config.guests.map((g) => (g.memoryMiB * 1024) / 4);
const base: number[] = [];
let total = 0;
for (const p of pages) {
  base.push(total);
  total += p;
}
const guestOf = (id: number): number => {
  let k = base.length - 1;
  while (base[k] > id) k--;
  return k;
};
const birth = new Float64Array(total).fill(-1);
const walked = new Uint8Array(total);
const M = Mglru.prototype as Any;
// NOBLOOM=1: every PTE table walked (the lab before the Bloom filters), to compare.
if (process.env.NOBLOOM === '1') M.walkPmd = () => true;
const wrap = (name: string, after: (self: Any, id: number) => void): void => {
  const orig = M[name];
  M[name] = function (this: Any, id: number, ...a: unknown[]) {
    const ret = orig.call(this, id, ...a);
    after(this, id);
    return ret;
  };
};
wrap('onMap', (s, id) => {
  birth[id] = s.state[1];
  walked[id] = 0;
});
wrap('activate', (s, id) => (birth[id] = s.state[1]));
let inWalk = false;
wrap('promote', (s, id) => (birth[id] = s.state[1]));
const ages: number[][] = pages.map(() => []);
const walkedSince: number[] = pages.map(() => 0);
const evicted: number[] = pages.map(() => 0);
const origEvicted = M.evicted;
M.evicted = function (this: Any, id: number) {
  const k = guestOf(id);
  const age = this.state[1] - birth[id];
  ages[k][age] = (ages[k][age] ?? 0) + 1;
  if (walked[id]) walkedSince[k]++;
  evicted[k]++;
  return origEvicted.call(this, id);
};
const P = Pgdat.prototype as Any;
const origWalk = P.walk;
const origHostClear = P.hostClear;
P.hostClear = function (this: Any, g: Any, start: number, n: number) {
  if (inWalk) for (let i = 0; i < n; i++) walked[base[g.index] + start + i] = 1;
  return origHostClear.call(this, g, start, n);
};
// Lost accesses: a page the walk or look-around found young (its AF cleared) that does not end in max_seq.
let lost = 0;
let foundYoung = 0;
const origPY = P.promoteYoung;
P.promoteYoung = function (
  this: Any,
  y: Uint32Array,
  start: number,
  count: number,
  b: number,
  skip: number,
  p: Any,
  ...a: unknown[]
) {
  const ret = origPY.call(this, y, start, count, b, skip, p, ...a);
  const pol = this.lruvecs[0].policy as Any;
  for (let i = 0; i < count; i++)
    if ((y[i >>> 5] >>> (i & 31)) & 1 && start + i !== skip) {
      foundYoung++;
      if (pol.seqOf(b + start + i) !== pol.state[1]) lost++;
    }
  return ret;
};
process.on('exit', () => console.log(`found young by walk/look-around ${foundYoung}, not in max_seq after ${lost}`));
P.walk = function (this: Any, start: number, end: number, ...a: unknown[]) {
  inWalk = true;
  try {
    return origWalk.call(this, start, end, ...a);
  } finally {
    inWalk = false;
  }
};
const checks = pages.map(() => [0, 0]);
const origRef = P.referenced;
P.referenced = function (this: Any, id: number, p: unknown) {
  const y = origRef.call(this, id, p) as boolean;
  checks[guestOf(id)][y ? 0 : 1]++;
  return y;
};
void inWalk;
const res = runInProcess(config);
const sm = res.summary as Any;
console.log(
  `${harvest}: hit ${(sm.hitRate * 100).toFixed(2)} % accesses ${sm.accesses} evictions ${sm.evictions} refaults ${sm.refaults} passes ${sm.agingPasses}`,
);
for (let k = 0; k < pages.length; k++) {
  const g = sm.guests[k];
  const a = ages[k].map((n, i) => `${i}:${n ?? 0}`).join(' ');
  console.log(
    `  ${g.name.padEnd(6)} hit ${(g.hitRate * 100).toFixed(2).padStart(6)} % acc ${String(g.accesses).padStart(8)} ` +
      `refaults ${String(g.refaults).padStart(6)} evict ${String(g.evictions).padStart(6)} prec ${(g.evictionPrecision * 100).toFixed(1)} % ` +
      `check young/old ${checks[k][0]}/${checks[k][1]} walked-before-evict ${walkedSince[k]}/${evicted[k]} ` +
      `gens since placed young [${a}] slowdown ${g.slowdown?.toFixed(2)}`,
  );
}
