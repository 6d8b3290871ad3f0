// Diagnostic (not a bench): where run 2 of the v1 max_guest_memory_test reproduction goes, locked-write
// ("before") against lockless ("after"), on the Altra and the x86 profile, and what-ifs that swap one
// mechanism between them. Deterministic, seed of the preset; the figures are virtual time.
//   npx esbuild bench/_v1FlushDecompose.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_v1FlushDecompose.mjs && node .cache/bench/_v1FlushDecompose.mjs [case...]
// Cases (diagnostics, never settings):
//   altra, x86              the profiles as shipped;
//   altra-flush=<ns>        Altra, every kvm_flush_remote_tlbs charged <ns> to the flusher (x86's mean is
//                           printed by the x86 case), the vCPUs' refill unchanged;
//   x86-flush=<ns>          x86 with a broadcast-style flush of <ns> (no IPIs, no kicked exits);
//   altra-zap               Altra with x86's root zap between the runs (Guest.zapRoot, as resetZapsRoot on
//                           x86; arm64 has no KVM_SET_SREGS, so no such reset exists there);
//   x86-nozap               x86 without the root zap.
// Environment: SEED=<n> runs with that seed instead of the preset's.
import path from 'node:path';
import { loadavg } from 'node:os';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { onPassEnd } from './_passEnd.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import type { HardwareProfile, ScenarioConfig } from '../engine/protocol.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import { hardwarePreset } from './_hardwarePreset.ts';
import { counterDelta } from './_counterDelta.ts';
import { checkHooksRan, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Per-run hook state.
const st = {
  pass1End: Infinity,
  snap: null as Float64Array | null,
  live: null as Float64Array | null,
  base: 0,
  guest: null as Any | null,
  zapAtPass1: false,
  flushNs: -1, // < 0: the profile's own flush
  flushes: 0,
  flushCharged: 0,
  refs: 0,
  refNs: 0, // folio_referenced wall on the reclaimer's clock, lock wait included
  refWait: 0,
};
// Every hook must run (mustRun, checked after the last case): each case runs locked-write, which flushes
// and harvests, and the printed figures come from these hooks.
const must = { mustRun: true };
onPassEnd((e) => {
  if (e.before !== 0) return;
  st.snap = Float64Array.from(e.stats);
  st.live = e.stats;
  st.base = e.base;
  st.pass1End = e.now;
  if (st.zapAtPass1 && st.guest !== null) st.guest.zapRoot();
}, must);
hookMethod(
  Guest.prototype,
  'fault',
  (origFault) =>
    function (this: Any, ...a: unknown[]) {
      st.guest = this;
      return origFault.apply(this, a) as number;
    },
  must,
);
hookMethod(
  Guest.prototype,
  'flushRemoteTlbs',
  (origFlush) =>
    function (this: Any, t: number, kswapd: boolean): number {
      let ns: number;
      if (st.flushNs < 0) ns = origFlush.call(this, t, kswapd) as number;
      else {
        this.stats[this.sb + L.GS_TLB_FLUSH_VM]++;
        this.tlbFlush.flush();
        ns = st.flushNs;
      }
      if (t >= st.pass1End) {
        st.flushes++;
        st.flushCharged += ns;
      }
      return ns;
    },
  must,
);
hookMethod(
  Harvester.prototype,
  'folioReferenced',
  (origRef) =>
    function (this: Any, gfn: number): boolean {
      const g = this.g as Any;
      const t0 = this.t as number;
      const w0 = g.stats[g.sb + L.GS_LOCK_WAIT_NS] as number;
      const y = origRef.call(this, gfn) as boolean;
      if (t0 >= st.pass1End) {
        st.refs++;
        st.refNs += (this.t as number) - t0;
        st.refWait += (g.stats[g.sb + L.GS_LOCK_WAIT_NS] as number) - w0;
      }
      return y;
    },
  must,
);

interface Run2 {
  ms: number;
  c: Record<string, number>;
  flushes: number;
  flushMs: number;
  refs: number;
  refHoldMs: number;
  refWaitMs: number;
}

function run(config: ScenarioConfig, flushNs: number, zap: boolean): Run2 {
  Object.assign(st, {
    pass1End: Infinity,
    snap: null,
    live: null,
    guest: null,
    zapAtPass1: zap,
    flushNs,
    flushes: 0,
    flushCharged: 0,
    refs: 0,
    refNs: 0,
    refWait: 0,
  });
  const r = runInProcess(config);
  const g = r.summary.guests[0] as Any;
  const pe = g.passEndMs as number[];
  const c = st.snap !== null && st.live !== null ? counterDelta(st.snap, st.live, st.base) : {};
  return {
    ms: pe[1] - pe[0],
    c,
    flushes: st.flushes,
    flushMs: st.flushCharged / 1e6,
    refs: st.refs,
    refHoldMs: (st.refNs - st.refWait) / 1e6,
    refWaitMs: st.refWait / 1e6,
  };
}

const configs = reproductionConfigs(path.join(process.cwd(), 'presets'), REPRODUCTIONS);
const before = configs.get('repro-max-guest-memory/locked-write/mglru');
const after = configs.get('repro-max-guest-memory/lockless/mglru');
if (!before || !after) throw new Error(`v1 configs not found: ${[...configs.keys()].join(', ')}`);

const f = (x: number, d = 1): string => x.toFixed(d);
function show(name: string, hw: HardwareProfile, flushNs: number, zap: boolean, nozap: boolean): void {
  const cfg = (c: ScenarioConfig): ScenarioConfig => {
    const x = structuredClone(c);
    x.hardware = hw;
    if (process.env.SEED !== undefined) x.run.seed = Number(process.env.SEED);
    if (nozap) for (const g of x.guests) if (g.workload.kind === 'scan') g.workload.resetZapsRoot = false;
    return x;
  };
  const t0 = Date.now();
  const lw = run(cfg(before as ScenarioConfig), flushNs, zap);
  const ll = run(cfg(after as ScenarioConfig), flushNs, zap);
  console.log(
    `\n=== ${name}: run 2 locked ${f(lw.ms)} ms / lockless ${f(ll.ms)} ms = ${f(lw.ms / ll.ms, 3)}  (wall ${f((Date.now() - t0) / 1000)} s, load ${f(loadavg()[0], 2)})`,
  );
  for (const [label, x] of [
    ['locked', lw],
    ['lockless', ll],
  ] as const) {
    const c = x.c;
    console.log(
      `  ${label}: flushes ${x.flushes} (${f(x.flushMs)} ms, ${f(x.flushes ? (x.flushMs * 1e6) / x.flushes : 0, 0)} ns each); ` +
        `folio_referenced ${x.refs}: held ${f(x.refHoldMs)} ms (flush included), waited ${f(x.refWaitMs)} ms; ` +
        `all MMU-lock holds ${f(c.LOCK_HOLD_NS / 1e6)} ms; lock wait (all waiters) ${f(c.LOCK_WAIT_NS / 1e6)} ms`,
    );
    console.log(
      `    vCPUs: stall ${f(c.STALL_NS / 1e6)} ms; refills ${c.TLB_REFILLS} full + ${c.TLB_S1_REFILLS} stage-1 = ${f(c.TLB_REFILL_NS / 1e6, 2)} ms; ` +
        `kicked exits ${c.IPI_KICKS} = ${f(c.KICK_EXIT_NS / 1e6, 2)} ms; S2 faults ${c.S2_FAULTS}, swap reads ${c.SWAP_READS}, ` +
        `evictions ${c.EVICTIONS}, direct reclaim ${c.DIRECT_RECLAIM}; kswapd ${f(c.KSWAPD_NS / 1e6)} ms (write wait ${f(c.KSWAPD_WRITE_WAIT_NS / 1e6)})`,
    );
  }
}

const altra = hardwarePreset('ampere-altra');
const x86 = hardwarePreset('x86-workstation');
const want = process.argv.slice(2);
const cases = want.length > 0 ? want : ['altra', 'x86'];
for (const k of cases) {
  const [name, arg] = k.split('=');
  switch (name) {
    case 'altra':
      show(k, altra, -1, false, false);
      break;
    case 'x86':
      show(k, x86, -1, false, false);
      break;
    case 'altra-flush':
      show(k, altra, Number(arg), false, false);
      break;
    case 'x86-flush':
      show(k, x86, Number(arg), false, false);
      break;
    case 'altra-zap':
      show(k, altra, -1, true, false);
      break;
    case 'altra-zap-flush':
      show(k, altra, Number(arg), true, false);
      break;
    case 'x86-nozap':
      show(k, x86, -1, false, true);
      break;
    default:
      throw new Error(`unknown case ${k}`);
  }
}
checkHooksRan();
