/**
 * HardwareProfile validation: identity, feature flags, the default harvest mode (which must be one
 * the hardware can run as posted, without any what-if), and every CostKey with ns >= 0 (memAccess >= 1,
 * the floor that makes every run advance virtual time) and a
 * non-empty `source` saying where the figure comes from.
 */
import {
  COST_KEYS,
  HARVEST_MODES,
  REMOTE_TLB_FLUSHES,
  type CostFigure,
  type CostKey,
  type HardwareProfile,
  type Result,
} from '../../protocol.ts';
import { openObject, type Fields } from './fields.ts';
import { COST_NS, ID_PATTERN, ID_TEXT, MEM_ACCESS_NS } from './limits.ts';
import { Problems, toResult } from './problems.ts';

export const HARDWARE_KEYS = [
  'id',
  'name',
  'description',
  'hafdbs',
  'pkvm',
  's2fwb',
  'remoteTlbFlush',
  'defaultHarvest',
  'costs',
] as const;

export function validateHardwareProfile(x: unknown, path = 'hardware'): Result<HardwareProfile> {
  const problems = new Problems();
  return toResult(readHardwareProfile(problems, x, path), problems, 'hardware profile');
}

export function readHardwareProfile(problems: Problems, x: unknown, path: string): HardwareProfile | undefined {
  const mark = problems.count;
  const f = openObject(problems, x, path, HARDWARE_KEYS);
  if (!f) return undefined;
  const hw = readHardwareFields(f);
  return problems.since(mark) === 0 ? hw : undefined;
}

/** Reads the profile's fields from `f` (shared with the hardware preset file, which adds format keys). */
export function readHardwareFields(f: Fields): HardwareProfile {
  const id = f.str('id', { pattern: ID_PATTERN, patternText: ID_TEXT });
  const name = f.str('name', { nonEmpty: true, maxLength: 200 });
  const description = f.str('description', { maxLength: 4000 });
  const mark = f.problems.count;
  const hafdbs = f.bool('hafdbs');
  const pkvm = f.bool('pkvm');
  const defaultHarvest = f.oneOf('defaultHarvest', HARVEST_MODES);
  // Only judge the combination when its three parts read cleanly (no cascading messages).
  const flagsOk = f.problems.since(mark) === 0;
  const present = new Set<CostKey>();
  const hw: HardwareProfile = { id, name, description, hafdbs, pkvm, defaultHarvest, costs: readCosts(f, present) };
  // Optional: a config saved before the flag existed ran without cache maintenance (see the type).
  if (f.has('s2fwb')) hw.s2fwb = f.bool('s2fwb');
  // Optional: a config saved before the field existed flushed by TLBI broadcast (see the type).
  if (f.has('remoteTlbFlush')) {
    const m = f.problems.count;
    hw.remoteTlbFlush = f.oneOf('remoteTlbFlush', REMOTE_TLB_FLUSHES);
    if (f.problems.since(m) === 0) checkRemoteTlbFlush(f, hw, present);
  }
  if (flagsOk) checkDefaultHarvest(f, hw);
  return hw;
}

/** The costs the 'ipi-kick' flush charges (kvm/remoteTlbFlush.ts): a profile that selects it must state them. */
export const IPI_KICK_COSTS: readonly CostKey[] = ['vcpuRequest', 'ipiSend', 'ipiAck', 'kickExit'];

/**
 * 'ipi-kick' is x86's kvm_make_all_cpus_request: it needs its four costs stated (an old config's
 * missing key reads as 0, which would make the IPIs free), and it is not pKVM's (arm64 only).
 */
function checkRemoteTlbFlush(f: Fields, hw: HardwareProfile, present: Set<CostKey>): void {
  if (hw.remoteTlbFlush !== 'ipi-kick') return;
  const at = f.at('remoteTlbFlush');
  if (hw.pkvm)
    f.problems.addRelation(
      at,
      "'ipi-kick' is x86's kvm_make_all_cpus_request; pkvm (arm64 protected KVM) flushes by TLBI broadcast from EL2 ('tlbi-broadcast')",
    );
  const missing = IPI_KICK_COSTS.filter((k) => !present.has(k));
  if (missing.length > 0 && f.has('costs'))
    f.problems.addRelation(
      at,
      `'ipi-kick' charges the IPI flush's costs; costs lacks ${missing.map((k) => `'${k}'`).join(', ')}`,
    );
}

/** The default is what the hardware runs as posted: no what-if flags can apply to it (a relation). */
function checkDefaultHarvest(f: Fields, hw: HardwareProfile): void {
  const at = f.at('defaultHarvest');
  const mode = hw.defaultHarvest;
  switch (mode) {
    case 'lockless':
      if (hw.pkvm)
        f.problems.addRelation(at, "'lockless' is impossible with pkvm: the host cannot read the hypervisor's stage-2");
      else if (!hw.hafdbs)
        f.problems.addRelation(
          at,
          "'lockless' needs FEAT_HAFDBS (hafdbs: true) as posted; without it use 'locked-write' or 'locked-read'",
        );
      return;
    case 'locked-write':
    case 'locked-read':
      if (hw.pkvm)
        f.problems.addRelation(
          at,
          `'${mode}' is impossible with pkvm: the host cannot read the hypervisor's stage-2 (use 'hypercall')`,
        );
      return;
    case 'hypercall':
      if (!hw.pkvm) f.problems.addRelation(at, "'hypercall' aging exists only under pKVM (pkvm: true)");
      return;
    case 'none':
      return;
    default:
      return assertNeverMode(mode);
  }
}

function assertNeverMode(x: never): never {
  throw new Error(`unexpected harvest mode ${String(x)}`);
}

/** The source of tlbFlushVmid in a config written before the key existed (readCosts). */
export const TLB_FLUSH_VMID_DEFAULT =
  'Not in this config (written before tlbFlushVmid existed): the VM-wide flush was charged as one broadcast TLBI (tlbInvalidate).';

/** The source of dcacheCleanInval in a config written before the key existed (readCosts). */
export const DCACHE_CLEAN_INVAL_DEFAULT =
  'Not in this config (written before dcacheCleanInval existed): no stage-2 cache maintenance was charged.';

/** The source of an 'ipi-kick' cost in a config written before the key existed (readCosts). */
export function ipiCostDefault(key: CostKey): string {
  return `Not in this config (written before ${key} existed): only the 'ipi-kick' remote TLB flush (x86) charges it.`;
}

/** `present` receives the keys the config states (the rest are defaults of older configs). */
function readCosts(f: Fields, present: Set<CostKey>): Record<CostKey, CostFigure> {
  const costs = {} as Record<CostKey, CostFigure>;
  const c = f.object('costs', COST_KEYS);
  for (const key of COST_KEYS) {
    costs[key] = { ns: 0, source: '' };
    if (!c) continue;
    if (c.has(key)) present.add(key);
    if (IPI_KICK_COSTS.includes(key) && !c.has(key)) {
      // Added with the x86 profile: a config without them never flushed by IPI (checkRemoteTlbFlush).
      costs[key] = { ns: 0, source: ipiCostDefault(key) };
      continue;
    }
    if (key === 'dcacheCleanInval' && !c.has(key)) {
      // Added after sessions were first saved: such a config ran without cache maintenance.
      costs[key] = { ns: 0, source: DCACHE_CLEAN_INVAL_DEFAULT };
      continue;
    }
    if (key === 'tlbFlushVmid' && !c.has(key)) {
      // Added after sessions were first saved: a config without it (an older session) keeps opening,
      // with the one broadcast TLBI it was charged then (the run's results were computed that way).
      costs[key] = { ns: costs.tlbInvalidate.ns, source: TLB_FLUSH_VMID_DEFAULT };
      continue;
    }
    const figure = c.object(key, ['ns', 'source']);
    if (!figure) continue;
    costs[key] = {
      ns: figure.num('ns', key === 'memAccess' ? MEM_ACCESS_NS : COST_NS),
      source: figure.str('source', { nonEmpty: true, maxLength: 2000 }),
    };
  }
  return costs;
}
