/**
 * HardwareProfile validation: identity, feature flags, the default harvest mode (which must be one
 * the hardware can run as posted, without any what-if), and every CostKey with ns >= 0 (memAccess >= 1,
 * the floor that makes every run advance virtual time) and a
 * non-empty `source` saying where the figure comes from.
 */
import {
  COST_KEYS,
  HARVEST_MODES,
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
  const hw: HardwareProfile = { id, name, description, hafdbs, pkvm, defaultHarvest, costs: readCosts(f) };
  // Optional: a config saved before the flag existed ran without cache maintenance (see the type).
  if (f.has('s2fwb')) hw.s2fwb = f.bool('s2fwb');
  if (flagsOk) checkDefaultHarvest(f, hw);
  return hw;
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

function readCosts(f: Fields): Record<CostKey, CostFigure> {
  const costs = {} as Record<CostKey, CostFigure>;
  const c = f.object('costs', COST_KEYS);
  for (const key of COST_KEYS) {
    costs[key] = { ns: 0, source: '' };
    if (!c) continue;
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
