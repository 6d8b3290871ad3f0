// Diagnostic (not a bench, never a setting; session 12, helper L): what the stage-2 permission fault's
// broadcast TLBI on arm64 6.1-6.4 would change. In those kernels user_mem_abort's permission-fault path
// (arch/arm64/kvm/mmu.c) calls kvm_pgtable_stage2_relax_perms (arch/arm64/kvm/hyp/pgtable.c) under
// kvm->mmu_lock for read, which ends with
//   ret = stage2_update_leaf_attrs(...); if (!ret) kvm_call_hyp(__kvm_tlb_flush_vmid_ipa, pgt->mmu, addr, level);
// __kvm_tlb_flush_vmid_ipa (arch/arm64/kvm/hyp/vhe/tlb.c): TLBI IPAS2E1IS; DSB ISH; TLBI VMALLE1IS; DSB ISH:
// two broadcasts, each with its DVM Sync. stage2_attr_walker returns 0 also when the PTE needed no change
// (another vCPU relaxed it first), so a spurious permission fault flushes too. From v6.5 the call is
// __kvm_tlb_flush_vmid_ipa_nsh (TLBI IPAS2E1; DSB NSH; TLBI VMALLE1; DSB NSH: local, no DVM Sync):
// commit a12ab1378a88 "KVM: arm64: Use local TLBI on permission relaxation" (M. Zyngier, posted by
// R. Koller as patch 12/12 of the eager page splitting series, lore 20230301210928.565562-13-ricarkol@google.com;
// merged for 6.5 through kvm-arm64/eager-page-splitting). The lab's Guest.permFault
// (engine/core/kvm/userMemAbort.ts) charges no TLBI: the 6.5+ behaviour in that respect.
//
// The probe: Guest.permFault is hooked (this process only). After the original books its read hold
// [start, start + hold) and relaxes the PTE, the hook issues UNMAP_TLBIS (2) broadcasts at the hold's end
// on the guest's DVM calendar (g.dvm, engine/core/arch/dvm.ts), each served for the profile's
// tlbInvalidate (the figure the unmap's __kvm_tlb_flush_vmid_ipa is charged), and lengthens the read hold
// by their service time plus DVM wait (extendHold, read kind): the vCPU returns when the second DSB
// completes. x86 guests (g.dvm null) are left alone. Counted: permission faults, their broadcasts, the
// DVM wait they met, and the DVM wait of everything else (unmaps, flush_tlb_page, VM-wide flushes).
//   npx esbuild bench/_permTlbi.ts --bundle --platform=node --format=esm --outfile=.cache/bench/_permTlbi.mjs
//   node .cache/bench/_permTlbi.mjs [memcached|v1|v2|seed|all|sweep] [--seed-ms=1500] [--vcpus=16,32,64,128]
// Each run is in process, deterministic (one worker, as `lab reproduce` runs them), once without and once
// with the probe.
import { loadavg } from 'node:os';
import { runInProcess } from '../engine/core/sim/run.ts';
import { resolveScenario } from '../engine/core/config/resolve.ts';
import { evaluateReproduction, REPRODUCTIONS, reproductionConfigs } from '../engine/core/repro/reproductions.ts';
import { loadPresetDir } from '../presets/node.ts';
import { Guest } from '../engine/core/sim/guest.ts';
import { extendHold } from '../engine/core/arch/dvm.ts';
import { UNMAP_TLBIS } from '../engine/core/kvm/unmapGfnRange.ts';
import { C_TLB_INVALIDATE } from '../engine/core/sim/costs.ts';
import {
  GS_DVM_WAIT_NS,
  GS_LOCK_HOLD_NS,
  GS_STALL_NS,
  PG_HOST,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_TOUCHED,
} from '../engine/core/sim/simLayout.ts';
import type { HarvestMode, RunSummary, ScenarioConfig } from '../engine/protocol.ts';
import { hookMethod } from './_util.ts';

const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const which = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'all';
const seedMs = Number(flag('seed-ms') ?? 1500);

/** Probe state: on/off and what it booked in the current run. */
const probe = { on: false, faults: 0, broadcasts: 0, waited: 0, waitNs: 0, extraHoldNs: 0 };

/**
 * Where the read-only stage-2 leaves come from (both runs; read only): a read stage-2 fault maps the page
 * without S2AP W (userMemAbort: attrLoByWrite[0]). Each is classed by the page's flags before the fault:
 * the page state that decides, in the kernel, whether hva_to_pfn finds a writable host PTE.
 */
const KINDS = ['prefaulted', 'swapcache', 'swapped', 'touched', 'cold', 'unknown'] as const;
function kindOf(f: number): number {
  if ((f & PG_HOST) !== 0) return 0; // the VMM holds it (its PTE present: pre-faulted by its write)
  if ((f & PG_SWAPCACHE) !== 0) return 1; // read ahead into the swap cache
  if ((f & PG_SWAPPED) !== 0) return 2; // swapped out: this fault swaps it in
  if ((f & PG_TOUCHED) !== 0) return 3; // faulted before, neither held by the VMM nor swapped
  return 4; // never touched
}
let roMaps = new Array<number>(KINDS.length).fill(0);
let permByKind = new Array<number>(KINDS.length).fill(0);
let roKind = new WeakMap<Guest, Map<number, number>>();
const kinds = (g: Guest): Map<number, number> => {
  let m = roKind.get(g);
  if (m === undefined) roKind.set(g, (m = new Map()));
  return m;
};
hookMethod(
  Guest.prototype,
  'fault',
  (fault0) =>
    function (this: Guest, gfn: number, write: boolean, t: number, vi = 0, limit = Infinity): number {
      const f = this.flags[gfn];
      // The first call of a fault (a resumed one finds the page resident: its class was taken then).
      if (!write && (f & PG_RESIDENT) === 0) {
        const k = kindOf(f);
        kinds(this).set(gfn, k);
        roMaps[k]++;
      }
      return fault0.call(this, gfn, write, t, vi, limit);
    },
);

hookMethod(
  Guest.prototype,
  'permFault',
  (permFault0) =>
    function (this: Guest, gfn: number, t: number): number {
      const end = permFault0.call(this, gfn, t);
      const m = kinds(this);
      const k = m.get(gfn);
      permByKind[k ?? 5]++;
      m.delete(gfn);
      const dvm = this.dvm;
      if (!probe.on || dvm === null) return end;
      // kvm_pgtable_stage2_relax_perms -> __kvm_tlb_flush_vmid_ipa, still inside the read hold that ends
      // at `end`: two TLBI ...IS + DSB ISH, back to back from this PE.
      const tlbi = this.costs[C_TLB_INVALIDATE];
      const n0 = dvm.waited;
      const w0 = dvm.waitNs;
      const done = dvm.broadcasts(end, tlbi, UNMAP_TLBIS);
      const wait = done - (end + UNMAP_TLBIS * tlbi);
      const e = extendHold(this.vlock, dvm, end, done - end, false, false);
      probe.faults++;
      probe.broadcasts += UNMAP_TLBIS;
      probe.waited += dvm.waited - n0;
      probe.waitNs += dvm.waitNs - w0;
      probe.extraHoldNs += e - end;
      const s = this.stats;
      s[this.sb + GS_LOCK_HOLD_NS] += done - end;
      s[this.sb + GS_DVM_WAIT_NS] += wait;
      s[this.sb + GS_STALL_NS] += e - end;
      return e;
    },
);

const presets = loadPresetDir(process.cwd() + '/presets');
if (presets.problems.length > 0) throw new Error(presets.problems.join('\n'));

interface Out {
  summary: RunSummary;
  probe: typeof probe;
  wallMs: number;
  perm: number[];
  ro: number[];
}
function run(config: ScenarioConfig, on: boolean): Out {
  Object.assign(probe, { on, faults: 0, broadcasts: 0, waited: 0, waitNs: 0, extraHoldNs: 0 });
  roMaps = roMaps.map(() => 0);
  permByKind = permByKind.map(() => 0);
  roKind = new WeakMap();
  const r = runInProcess(config);
  return { summary: r.summary, probe: { ...probe }, wallMs: r.wallMs, perm: [...permByKind], ro: [...roMaps] };
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3);
function line(tag: string, o: Out): string {
  const s = o.summary;
  const perm = s.permFaults ?? 0;
  const dvmWait = s.dvmWaitNs ?? 0;
  const p = o.probe;
  return (
    `  ${tag.padEnd(4)} hit ${(s.hitRate * 100).toFixed(2)} % accesses ${s.accesses} permFaults ${perm}` +
    (s.opsPerSec === undefined ? '' : ` ops/s ${s.opsPerSec.toFixed(0)} p99 ${ms(s.opLatencyP99Ns ?? 0)} ms`) +
    ` lockHold ${ms(s.lockHoldNs)} ms lockWait ${ms(s.lockWaitNs)} ms` +
    ` dvmWait(all) ${ms(dvmWait)} ms` +
    (p.on
      ? ` | probe: faults ${p.faults} broadcasts ${p.broadcasts} waited ${p.waited} wait ${ms(p.waitNs)} ms` +
        ` hold+ ${ms(p.extraHoldNs)} ms (${p.faults > 0 ? (p.extraHoldNs / p.faults).toFixed(0) : 0} ns/fault)`
      : '') +
    ` [wall ${(o.wallMs / 1e3).toFixed(0)} s]\n` +
    `       perm faults by the read fault that mapped the page read-only: ` +
    KINDS.map((k, i) => `${k} ${o.perm[i]}/${o.ro[i]}`).join(', ') +
    ' (perm faults / read faults of that class)'
  );
}

function repro(ids: string[]): void {
  const repros = REPRODUCTIONS.filter((r) => ids.includes(r.id));
  const cf = reproductionConfigs(presets.set, repros);
  if (!cf.ok) throw new Error(cf.error.message);
  const sums = [new Map<string, RunSummary>(), new Map<string, RunSummary>()];
  for (const [key, config] of cf.value) {
    console.log(`${key}: tlbInvalidate ${config.hardware.costs.tlbInvalidate.ns} ns`);
    for (const on of [false, true]) {
      const o = run(config, on);
      sums[on ? 1 : 0].set(key, o.summary);
      console.log(line(on ? 'with' : 'base', o));
    }
  }
  for (const r of repros)
    for (const [i, tag] of ['without', 'with'].entries()) {
      const figs = evaluateReproduction(r, sums[i]);
      console.log(
        `${r.id} ${tag}: ` + figs.map((f) => `${f.id} ${f.lab.toFixed(3)}${f.inBand ? ' (in band)' : ''}`).join(', '),
      );
    }
}

function seedDebate(): void {
  for (const harvest of ['lockless', 'locked-write'] as HarvestMode[]) {
    const r = resolveScenario(presets.set, 'seed-debate', { hardware: 'ampere-altra', harvest });
    if (!r.ok) throw new Error(r.error.message);
    const config = JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
    config.run.durationMs = seedMs;
    config.run.deterministic = true;
    console.log(`seed-debate ${harvest} ${seedMs} ms: tlbInvalidate ${config.hardware.costs.tlbInvalidate.ns} ns`);
    for (const on of [false, true]) {
      const o = run(config, on);
      console.log(line(on ? 'with' : 'base', o));
      for (const g of o.summary.guests)
        console.log(`      ${g.name.padEnd(8)} hit ${(g.hitRate * 100).toFixed(2)} % accesses ${g.accesses}`);
    }
  }
}

/**
 * `sweep`: repro-memcached-arm64's lockless run with the probe at several vCPU counts (one connection per
 * vCPU, as the preset's client): does the permission faults' DVM wait grow with vCPUs in one VM?
 */
function sweep(): void {
  const r = resolveScenario(presets.set, 'repro-memcached-arm64', { harvest: 'lockless' });
  if (!r.ok) throw new Error(r.error.message);
  for (const vcpus of (flag('vcpus') ?? '16,32,64,128').split(',').map(Number)) {
    const config = JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
    config.guests[0].vcpus = vcpus;
    const o = run(config, true);
    const p = o.probe;
    const svc = config.hardware.costs.tlbInvalidate.ns;
    console.log(
      `vcpus ${vcpus}: perm faults ${p.faults}, broadcasts ${p.broadcasts}, waited ${((100 * p.waited) / Math.max(1, p.broadcasts)).toFixed(2)} %, ` +
        `wait per broadcast ${(p.waitNs / Math.max(1, p.broadcasts)).toFixed(1)} ns, ` +
        `Sync busy with them ${((100 * p.broadcasts * svc) / (o.summary.virtualMs * 1e6)).toFixed(2)} % of ${o.summary.virtualMs.toFixed(0)} ms, ` +
        `ops/s ${(o.summary.opsPerSec ?? 0).toFixed(0)}`,
    );
  }
}

console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (which === 'sweep') sweep();
if (which === 'memcached' || which === 'all') repro(['repro-memcached-arm64']);
if (which === 'v1' || which === 'all') repro(['repro-v1-mglru']);
if (which === 'v2' || which === 'all') repro(['repro-v2-baseline']);
if (which === 'seed' || which === 'all') seedDebate();
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
