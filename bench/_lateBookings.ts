// Diagnostic (session 14, e): which MMU-lock requests are booked after a later-arriving one (the virtual
// calendar's booking-order departures, sync/vlock.ts "Booking order"), by call site and by how much
// earlier. Hooks VLockStats.late in this process only; the call site is the first frames of the stack
// outside the lock's files. Deterministic, the preset's seed unless --seed.
// Also prints, per late request, the call site that last moved the latest arrival ahead by more than
// --jump ns (default 1,000; VLock.readReq / writeReq / readFifo hooked; the actor is the one whose run()
// is on the stack). An extendHold (arch/dvm.ts: a DVM wait lengthening a booked hold) counts as an
// arrival there, as in VLockStats.late.
//   --profile=<hardware-id>  --harvest=<mode>  --seed=<n>  --frames=<n> (call-site depth, default 3)
//   npx esbuild bench/_lateBookings.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_lateBookings.mjs && node .cache/bench/_lateBookings.mjs [scenario] [flags]
import { loadavg } from 'node:os';
import { VLockStats } from '../engine/core/sync/vlockStats.ts';
import { VLock } from '../engine/core/sync/vlock.ts';
import { VCpu } from '../engine/core/sim/vcpu.ts';
import { Kswapd } from '../engine/core/mm/kswapd.ts';
import { memcachedVariants } from './_memcachedVariants.ts';
import { hookMethod, runInThread } from './_util.ts';

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const seed = flag('seed') === undefined ? undefined : Number(flag('seed'));
const onlyHarvest = flag('harvest');
const depth = Number(flag('frames') ?? 3);
Error.stackTraceLimit = 20;

const BUCKETS = [2e3, 20e3, 200e3, Infinity];
const NAMES = ['<2us', '2-20us', '20-200us', '>=200us'];
let sites = new Map<string, { n: number[]; ns: number }>();
/** The actor whose step runs (hooked run methods), and the call site that last moved `latest` ahead. */
let actor = '';
let setter = '';
let setterJump = 0;
function siteOf(skip: RegExp): string {
  const st = new Error().stack ?? '';
  const frames: string[] = [];
  for (const line of st.split('\n').slice(1)) {
    const m = /at (?:new )?([^ ]+) /.exec(line.trim());
    const name = m ? m[1] : line.trim();
    if (skip.test(name)) continue;
    frames.push(name);
    if (frames.length >= depth) break;
  }
  return frames.join(' < ');
}
const LOCKFRAMES =
  /late|VLock|readReq|writeReq|readSlow|writeSlow|readFifo|SharedVLock|^read$|^write$|Object\.read|Object\.write|siteOf|^t\.<computed>|^<anonymous>|^[a-z]\.[a-zA-Z]+$/;
for (const C of [VCpu, Kswapd])
  hookMethod(
    C.prototype,
    'run',
    (orig) =>
      function (this: unknown, ...a: unknown[]): unknown {
        actor = C.name;
        return orig.apply(this, a);
      },
  );
const JUMP_NS = Number(flag('jump') ?? 1000);
function noteAhead(v: VLock, t: number): void {
  const latest = (v as unknown as { latest: number }).latest;
  if (t <= latest) return;
  if (t - latest > JUMP_NS || setter === '') {
    setter = `${actor}: ${siteOf(LOCKFRAMES)}`;
    setterJump = t - latest;
  }
}
for (const name of ['readReq', 'writeReq'] as const)
  hookMethod(
    VLock.prototype,
    name,
    (orig) =>
      function (this: VLock, ...a: unknown[]): unknown {
        noteAhead(this, (this as unknown as { reqT: number }).reqT);
        return orig.apply(this, a);
      },
  );
hookMethod(
  VLock.prototype,
  'readFifo',
  (orig) =>
    function (this: VLock, ...a: unknown[]): unknown {
      noteAhead(this, a[0] as number);
      return orig.apply(this, a);
    },
);
let setters = new Map<string, { n: number; ns: number }>();

hookMethod(
  VLockStats.prototype,
  'late',
  (orig) =>
    function (this: VLockStats, t: number): unknown {
      const d = (this as unknown as { latest: number }).latest - t;
      const key = `${actor}: ${siteOf(LOCKFRAMES)}`;
      let s = sites.get(key);
      if (s === undefined) sites.set(key, (s = { n: [0, 0, 0, 0], ns: 0 }));
      s.n[BUCKETS.findIndex((b) => d < b)]++;
      s.ns += d;
      const sk = `${setter} (jump ${setterJump < 2e3 ? '<2us' : setterJump < 20e3 ? '2-20us' : '>=20us'})`;
      let q = setters.get(sk);
      if (q === undefined) setters.set(sk, (q = { n: 0, ns: 0 }));
      q.n++;
      q.ns += d;
      return orig.call(this, t);
    },
);

for (const v of memcachedVariants(seed)) {
  if (onlyHarvest !== undefined && v.harvest !== onlyHarvest) continue;
  sites = new Map();
  setters = new Map();
  setter = '';
  const t0 = performance.now();
  let late = { lateN: 0, lateNs: 0, lateMaxNs: 0, yieldedN: 0, yieldedNs: 0 };
  runInThread(v.config, (core) => {
    const g = (core.actorList.find((a) => 'g' in a) as unknown as { g: { vlock: typeof late } }).g;
    const { lateN, lateNs, lateMaxNs, yieldedN, yieldedNs } = g.vlock;
    late = { lateN, lateNs, lateMaxNs, yieldedN, yieldedNs };
  });
  console.log(
    `== ${v.scenario} ${v.harvest} ${process.argv.find((a) => a.startsWith('--profile=')) ?? ''}: wall ${((performance.now() - t0) / 1000).toFixed(1)} s, load ${loadavg()[0].toFixed(2)}`,
  );
  console.log(
    `late ${late.lateN} (mean ${(late.lateNs / Math.max(1, late.lateN)).toFixed(0)} ns, max ${late.lateMaxNs.toFixed(0)} ns); moved past a later writer ${late.yieldedN} (${(late.yieldedNs / 1e6).toFixed(3)} ms)`,
  );
  const rows = [...sites.entries()].sort((a, b) => b[1].n.reduce((x, y) => x + y) - a[1].n.reduce((x, y) => x + y));
  for (const [k, s] of rows.slice(0, 14)) {
    const n = s.n.reduce((x, y) => x + y);
    console.log(
      `  ${String(n).padStart(9)} mean ${(s.ns / n).toFixed(0).padStart(7)} ns  [${s.n.map((x, i) => `${NAMES[i]} ${x}`).join(', ')}]  ${k}`,
    );
  }
  console.log(' behind (the request that last moved the latest arrival ahead):');
  for (const [k, q] of [...setters.entries()].sort((a, b) => b[1].n - a[1].n).slice(0, 10))
    console.log(`  ${String(q.n).padStart(9)} mean ${(q.ns / q.n).toFixed(0).padStart(7)} ns  ${k}`);
}
