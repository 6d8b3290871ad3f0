/**
 * What the Reproductions view lists of each reproduction (LabApi.listReproductions): its figures and
 * bands, its runs, and every input of those runs with where the value comes from — the setup from the
 * scenario preset (whose description states the published setup and its sources), the costs from the
 * hardware profile (each figure's own source or "estimate" reasoning). Read from the resolved configs,
 * never restated here, so a change to a preset shows in the view as it is.
 */
import {
  COST_KEYS,
  type ReproductionInfo,
  type ReproInput,
  type Result,
  type ScenarioConfig,
  type WorkloadSpec,
} from '../../protocol.ts';
import type { PresetSet } from '../config/presetSet.ts';
import { figureInfo, reproductionConfigs, variantKey, type Reproduction } from './reproductions.ts';
import { fmtExact as n } from '../../numberFormat.ts';

// Every input is quoted exactly as the preset gives it, its whole part grouped as every figure the lab
// prints (engine/numberFormat.ts): 'every 3,600,000 ms', 'round trip 46,565 ns' (were ungrouped, s17-g).

function workloadText(w: WorkloadSpec): string {
  const parts: string[] = [w.kind];
  if ('pages' in w) parts.push(`${n(w.pages)} pages`);
  if (w.kind === 'zipf') parts.push(`theta ${w.theta}`);
  if (w.kind === 'hotset')
    parts.push(`hot ${n(w.hotPages)} pages p=${w.hotProbability}, moves every ${n(w.shiftEveryMs)} ms`);
  if (w.kind === 'scan' && w.slices) parts.push('one slice per vCPU, rendezvous after each pass');
  if (w.kind === 'scan' && w.passes !== undefined) parts.push(`${w.passes} passes, then the vCPUs are done`);
  if (w.kind === 'scan' && w.prefault) parts.push('memory pre-faulted by the VMM before the vCPUs run');
  if (w.kind === 'scan' && w.resetZapsRoot)
    parts.push("x86 only: the reset between runs drops every vCPU's TDP MMU root, which is zapped (none on arm64)");
  if (w.kind === 'trace') parts.push(`trace ${w.trace}`);
  parts.push(`write fraction ${w.writeFraction}`, `think ${n(w.thinkNs)} ns`);
  if (w.opAccesses !== undefined) parts.push(`${n(w.opAccesses)} accesses per operation`);
  if (w.client) {
    const c = w.client;
    parts.push(`closed-loop client: ${n(c.connections)} connection(s) per vCPU, round trip ${n(c.roundTripNs)} ns`);
    if (c.warmupMs) parts.push(`first ${n(c.warmupMs)} ms not measured`);
  }
  return parts.join(', ');
}

/** The inputs every run of the reproduction shares (setup and costs), then what its runs change. */
function inputsOf(r: Reproduction, configs: ReadonlyMap<string, ScenarioConfig>): ReproInput[] {
  const base = configs.get(variantKey(r.variants[0])) as ScenarioConfig;
  const preset = `scenario preset ${r.scenario} (its description states the published setup)`;
  const hw = base.hardware;
  const hwSource = `hardware profile ${hw.id}`;
  const out: ReproInput[] = [
    { name: 'published result', value: r.title, source: r.source },
    { name: 'hardware', value: hw.name, source: hwSource },
    { name: 'FEAT_HAFDBS', value: hw.hafdbs ? 'yes' : 'no', source: hwSource },
    { name: 'pKVM', value: hw.pkvm ? 'yes' : 'no', source: hwSource },
    {
      name: 'remote TLB flush (kvm_flush_remote_tlbs)',
      value:
        hw.remoteTlbFlush === 'ipi-kick'
          ? 'IPI to each vCPU in guest mode, wait for its exit (x86)'
          : 'TLBI broadcast (arm64)',
      source: hwSource,
    },
    { name: 'host memory', value: `${n(base.host.memoryMiB)} MiB`, source: preset },
    {
      name: 'watermarks (min/low/high)',
      value: `${base.host.watermarks.minPct}% / ${base.host.watermarks.lowPct}% / ${base.host.watermarks.highPct}%`,
      source: preset,
    },
    {
      name: 'swap',
      value: `${base.host.swap.device}${base.host.swap.ssd ? ` (${base.host.swap.ssd})` : ''}, ${n(base.host.swap.sizeMiB)} MiB`,
      source: preset,
    },
  ];
  for (const g of base.guests) {
    out.push({
      name: `guest '${g.name}'`,
      value: `${n(g.memoryMiB)} MiB, ${g.vcpus} vCPUs${g.protected ? ', protected' : ''}, memory ${g.memoryBacking ?? 'shmem-memfd'}`,
      source: preset,
    });
    out.push({ name: `guest '${g.name}' workload`, value: workloadText(g.workload), source: preset });
  }
  const rc = base.reclaim;
  out.push(
    { name: 'look-around', value: rc.lookaround ? 'on' : 'off', source: preset },
    { name: 'map new pages young', value: rc.mapYoung ? 'yes' : 'no', source: preset },
    {
      name: 'rmap secondary-MMU call',
      value: rc.rmapFlushYoung === false ? 'clear_young (no flush)' : 'clear_flush_young',
      source: preset,
    },
    {
      name: 'host LRU',
      value: rc.lruvec === 'memcg' ? 'one memcg per guest' : 'one lruvec for all guests',
      source: preset,
    },
    { name: 'vCPU TLB', value: rc.tlb.enabled ? `${n(rc.tlb.entries)} entries` : 'off', source: preset },
    {
      name: 'run',
      value: `${n(base.run.durationMs)} ms virtual, sampled every ${n(base.run.sampleIntervalMs)} ms, seed ${base.run.seed}${base.run.deterministic ? ', deterministic' : ''}`,
      source: preset,
    },
  );
  for (const v of r.variants) {
    const c = configs.get(variantKey(v)) as ScenarioConfig;
    out.push({
      name: `run '${v.key}'`,
      value: `harvest ${c.reclaim.harvest}, policy ${c.reclaim.policy}`,
      source: 'the published comparison (patch applied or not, MGLRU on or off)',
    });
  }
  for (const k of COST_KEYS)
    out.push({ name: `cost ${k}`, value: `${n(hw.costs[k].ns)} ns`, source: hw.costs[k].source });
  return out;
}

/** Every listed reproduction with its inputs, or the first preset problem. */
export function reproductionInfos(set: PresetSet, repros: readonly Reproduction[]): Result<ReproductionInfo[]> {
  const configs = reproductionConfigs(set, repros);
  if (!configs.ok) return configs;
  return {
    ok: true,
    value: repros.map((r) => {
      const first = configs.value.get(variantKey(r.variants[0])) as ScenarioConfig;
      return {
        id: r.id,
        title: r.title,
        source: r.source,
        note: r.note,
        scenario: r.scenario,
        scenarioName: first.name,
        description: first.description,
        variants: r.variants.map((v) => {
          const c = configs.value.get(variantKey(v)) as ScenarioConfig;
          return { key: v.key, harvest: c.reclaim.harvest, policy: c.reclaim.policy };
        }),
        figures: r.figures.map(figureInfo),
        inputs: inputsOf(r, configs.value),
      };
    }),
  };
}
