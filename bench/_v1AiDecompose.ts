// Diagnostic (not a bench): where run 2 of the v1 max_guest_memory_test reproduction goes with the
// classic active/inactive LRU (repro-v1-active-inactive's 'off' variant) against MGLRU locked-write
// ("before") and lockless ("after"): folio_referenced calls per eviction, split by caller
// (shrink_active_list's deactivation, the inactive tail's folio_check_references) and by reclaimer
// (kswapd, direct reclaim), how many were young, the write-lock holds and VM-wide flushes they caused,
// the active/inactive lists, evictions, swap reads. Deterministic, the preset's seed; virtual time.
//   npx esbuild bench/_v1AiDecompose.ts --bundle --platform=node --format=esm \
//     --outfile=.cache/bench/_v1AiDecompose.mjs && node .cache/bench/_v1AiDecompose.mjs [altra|x86 ...]
import path from 'node:path';
import { loadavg } from 'node:os';
import { reproductionConfigs } from '../engine/cli/reproduce.ts';
import { REPRODUCTIONS } from '../engine/core/repro/reproductions.ts';
import { runInProcess } from '../engine/core/sim/run.ts';
import { onPassEnd } from './_passEnd.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { Harvester } from '../engine/core/kvm/mmuNotifier.ts';
import { ActiveInactive } from '../engine/core/mm/policy/activeInactive.ts';
import type { ScenarioConfig } from '../engine/protocol.ts';
import * as L from '../engine/core/sim/simLayout.ts';
import { hardwarePreset } from './_hardwarePreset.ts';
import { counterDelta } from './_counterDelta.ts';
import { checkHooksRan, hookMethod } from './_util.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Counters of run 2, keyed `${site}.${who}.${what}`; site: deact (shrink_active_list), inact (the
// inactive tail), other (MGLRU's eviction); who: kswapd / direct.
const st = {
  pass1End: Infinity,
  snap: null as Float64Array | null,
  live: null as Float64Array | null,
  base: 0,
  site: 'other',
  n: new Map<string, number>(),
  lists: '',
  policy: null as Any | null,
};
const bump = (k: string, d = 1): void => void st.n.set(k, (st.n.get(k) ?? 0) + d);
const inRun2 = (t: number): boolean => t >= st.pass1End;

// Every hook must run (mustRun, checked after the last profile): each variant list holds MGLRU and the
// active/inactive LRU, and each hook's count is printed as a finding.
const must = { mustRun: true };
onPassEnd((e) => {
  if (e.before !== 0) return;
  st.snap = Float64Array.from(e.stats);
  st.live = e.stats;
  st.base = e.base;
  st.pass1End = e.now;
  const p = st.policy;
  if (p !== null) st.lists = `active ${p.state[0]}, inactive ${p.state[1]}`;
}, must);
// FLUSH_NS=<ns> (diagnostic what-if, never a setting): every kvm_flush_remote_tlbs charged <ns> to the
// flusher instead of the profile's cost, the vCPUs' refill unchanged (as _v1FlushDecompose's altra-flush).
const FLUSH_NS = process.env.FLUSH_NS === undefined ? -1 : Number(process.env.FLUSH_NS);
hookMethod(
  Guest.prototype,
  'flushRemoteTlbs',
  (origFlush) =>
    function (this: Any, t: number, kswapd: boolean): number {
      let ns = origFlush.call(this, t, kswapd) as number;
      if (FLUSH_NS >= 0) ns = FLUSH_NS;
      if (inRun2(t)) {
        bump(`${st.site}.${kswapd ? 'kswapd' : 'direct'}.flush`);
        bump(`${st.site}.${kswapd ? 'kswapd' : 'direct'}.flushNs`, ns);
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
      const t0 = this.t as number;
      const g = this.g as Any;
      const w0 = g.stats[g.sb + L.GS_LOCK_WAIT_NS] as number;
      const y = origRef.call(this, gfn) as boolean;
      if (inRun2(t0)) {
        const k = `${st.site}.${this.kswapd ? 'kswapd' : 'direct'}`;
        bump(`${k}.refs`);
        if (y) bump(`${k}.young`);
        const wait = (g.stats[g.sb + L.GS_LOCK_WAIT_NS] as number) - w0;
        bump(`${k}.waitNs`, wait);
        bump(`${k}.holdNs`, (this.t as number) - t0 - wait);
      }
      return y;
    },
  must,
);
// ActiveInactive's deactivateTail is private: hookMethod reaches it by name (and throws if it is renamed).
hookMethod(
  ActiveInactive.prototype,
  'deactivateTail',
  (origDeact) =>
    function (this: Any, r: Any) {
      st.policy = this;
      const prev = st.site;
      st.site = 'deact';
      origDeact.call(this, r);
      st.site = prev;
      if (inRun2(r.t)) bump(`deact.${r.kswapd ? 'kswapd' : 'direct'}.pages`);
    },
  must,
);
hookMethod(
  ActiveInactive.prototype,
  'pickVictim',
  (origPick) =>
    function (this: Any, r: Any, inline: boolean) {
      st.policy = this;
      const prev = st.site;
      st.site = 'inact';
      const na0 = this.state[0] as number;
      const v = origPick.call(this, r, inline) as number;
      st.site = prev;
      if (inRun2(r.t)) {
        const who = r.kswapd ? 'kswapd' : 'direct';
        bump(`inact.${who}.picks`);
        if (v >= 0) bump(`inact.${who}.victims`);
        else if (v === -1) bump(`inact.${who}.none`);
        else bump(`inact.${who}.scanAgain`);
        void na0;
      }
      return v;
    },
  must,
);
hookMethod(
  ActiveInactive.prototype,
  'ageStep',
  (origAgeStep) =>
    function (this: Any, r: Any) {
      const more = origAgeStep.call(this, r) as boolean;
      if (inRun2(r.t)) bump(`deact.${r.kswapd ? 'kswapd' : 'direct'}.steps`);
      return more;
    },
  must,
);

function run(config: ScenarioConfig): { ms: number; c: Record<string, number>; n: Map<string, number>; lists: string } {
  Object.assign(st, {
    pass1End: Infinity,
    snap: null,
    live: null,
    site: 'other',
    n: new Map(),
    lists: '',
    policy: null,
  });
  const r = runInProcess(config);
  const g = r.summary.guests[0] as Any;
  const pe = g.passEndMs as number[];
  const c = st.snap !== null && st.live !== null ? counterDelta(st.snap, st.live, st.base) : {};
  return { ms: pe[1] - pe[0], c, n: st.n, lists: st.lists };
}

const configs = reproductionConfigs(path.join(process.cwd(), 'presets'), REPRODUCTIONS);
const variants: [string, string][] = [
  ['MGLRU locked (before)', 'repro-max-guest-memory/locked-write/mglru'],
  ['MGLRU lockless (after)', 'repro-max-guest-memory/lockless/mglru'],
  ['active/inactive (off)', 'repro-max-guest-memory/lockless/active-inactive'],
];
const f = (x: number, d = 1): string => x.toFixed(d);
const want = process.argv.slice(2);
for (const prof of want.length > 0 ? want : ['altra']) {
  const hw = hardwarePreset(prof === 'x86' ? 'x86-workstation' : 'ampere-altra');
  console.log(`\n##### profile ${prof} (load ${f(loadavg()[0], 2)})`);
  const times: number[] = [];
  for (const [name, key] of variants) {
    const base = configs.get(key);
    if (!base) throw new Error(`no config ${key}: ${[...configs.keys()].join(', ')}`);
    const cfg = structuredClone(base) as ScenarioConfig;
    cfg.hardware = hw;
    const x = run(cfg);
    times.push(x.ms);
    const c = x.c;
    const ev = c.EVICTIONS;
    console.log(`\n=== ${name}: run 2 ${f(x.ms)} ms; lists at run 2 start: ${x.lists || '-'}`);
    console.log(
      `  evictions ${ev} (direct ${c.DIRECT_RECLAIM}), swap reads ${c.SWAP_READS}, refaults ${c.REFAULTS}, S2 faults ${c.S2_FAULTS}, ` +
        `stall ${f(c.STALL_NS / 1e6)} ms, lock hold ${f(c.LOCK_HOLD_NS / 1e6)} ms, lock wait ${f(c.LOCK_WAIT_NS / 1e6)} ms, ` +
        `kswapd ${f(c.KSWAPD_NS / 1e6)} ms (write wait ${f(c.KSWAPD_WRITE_WAIT_NS / 1e6)}), flushes ${c.TLB_FLUSH_VM}, aging passes ${c.AGING_PASSES}, throttled ${c.THROTTLED} (${f(c.THROTTLE_NS / 1e6)} ms)`,
    );
    for (const site of ['deact', 'inact', 'other'])
      for (const who of ['kswapd', 'direct']) {
        const g = (k: string): number => x.n.get(`${site}.${who}.${k}`) ?? 0;
        if (g('refs') === 0 && g('picks') === 0 && g('pages') === 0) continue;
        console.log(
          `  ${site}/${who}: folio_referenced ${g('refs')} (${f(g('refs') / Math.max(1, ev), 2)}/eviction), young ${g('young')}, ` +
            `flushes ${g('flush')} (${f(g('flushNs') / 1e6, 2)} ms), hold ${f(g('holdNs') / 1e6, 2)} ms, wait ${f(g('waitNs') / 1e6, 2)} ms` +
            (site === 'deact' ? `; deactivated ${g('pages')} in ${g('steps')} steps` : '') +
            (site === 'inact'
              ? `; picks ${g('picks')}: victims ${g('victims')}, none ${g('none')}, scan-again ${g('scanAgain')}`
              : ''),
        );
      }
  }
  const [lw, ll, ai] = times;
  console.log(`\nposition (off - after) / (before - after) = ${f((ai - ll) / (lw - ll), 3)}`);
}
checkHooksRan();
