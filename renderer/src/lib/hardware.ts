/**
 * Hardware-profile helpers for the setup panel (pure; test/renderer/hardware.test.ts): which harvest
 * modes and guest options a profile allows (and why not), which costs were edited, and an edited
 * profile as a preset file (same schema as presets/hardware/*.json).
 */
import type { CostKey, HardwareProfile, HarvestMode } from '../../../engine/protocol.ts';
import { COST_KEYS } from './protocolLists.ts';

/** Why `mode` cannot run on `hw` (the engine's rule, engine/core/config/semantics.ts), or null. */
export function harvestUnavailable(mode: HarvestMode, hw: HardwareProfile, allowLockless: boolean): string | null {
  switch (mode) {
    case 'lockless':
      if (hw.pkvm) return 'impossible under pKVM: the host cannot read the hypervisor’s stage-2';
      if (!hw.hafdbs && !allowLockless)
        return `needs ${hwAccessBitName(hw)} (or the what-if “Lockless without FEAT_HAFDBS”)`;
      return null;
    case 'locked-write':
    case 'locked-read':
      return hw.pkvm ? 'impossible under pKVM: the host cannot read the hypervisor’s stage-2' : null;
    case 'hypercall':
      return hw.pkvm ? null : 'exists only under pKVM (this profile has no pKVM)';
    case 'none':
      return null;
    default: {
      const never: never = mode;
      throw new Error(`unexpected harvest mode ${String(never)}`);
    }
  }
}

/**
 * The profile's x86 stand-in (remoteTlbFlush 'ipi-kick' is the lab's x86, presets/hardware/x86-workstation.json):
 * there `hafdbs: true` stands for the EPT/TDP accessed/dirty bits, and the arm64 name FEAT_HAFDBS is wrong.
 */
export function isX86(hw: HardwareProfile): boolean {
  return hw.remoteTlbFlush === 'ipi-kick';
}

/** What the hardware that sets the accessed bit itself is called on `hw`'s architecture. */
export function hwAccessBitName(hw: HardwareProfile): string {
  return isX86(hw) ? 'hardware A/D bits in the EPT/TDP tables' : 'FEAT_HAFDBS';
}

/**
 * Why the what-if "lockless without FEAT_HAFDBS" changes nothing on `hw`, or null when it matters
 * (hardware without the access-bit feature that can walk stage-2 at all).
 */
export function locklessWhatIfMoot(hw: HardwareProfile): string | null {
  if (hw.pkvm) return 'no effect under pKVM: the host cannot walk stage-2';
  if (hw.hafdbs) return `no effect: this profile has ${hwAccessBitName(hw)}`;
  return null;
}

/** Why a guest cannot be protected on `hw`, or null. */
export function protectedUnavailable(hw: HardwareProfile): string | null {
  return hw.pkvm ? null : 'only on pKVM profiles (this profile has no pKVM)';
}

/** Costs whose ns differ from the original profile's. */
export function editedCosts(hw: HardwareProfile, original: HardwareProfile | null): CostKey[] {
  if (!original) return [];
  return COST_KEYS.filter((k) => hw.costs[k] && original.costs[k] && hw.costs[k].ns !== original.costs[k].ns);
}

/**
 * The profile as a preset file. Edited costs keep their source, with the original figure noted; the
 * id and name say it is edited so that importing it does not replace the original.
 */
export function hardwarePresetText(
  hw: HardwareProfile,
  original: HardwareProfile | null,
): { text: string; fileName: string } {
  const edited = editedCosts(hw, original);
  const costs = {} as HardwareProfile['costs'];
  for (const k of COST_KEYS) {
    const c = hw.costs[k];
    costs[k] = edited.includes(k)
      ? { ns: c.ns, source: `Edited in Overcommit Lab (was ${original!.costs[k].ns} ns). Original source: ${c.source}` }
      : { ns: c.ns, source: c.source };
  }
  const isEdited = edited.length > 0 && !hw.id.endsWith('-edited');
  const id = isEdited ? `${hw.id}-edited` : hw.id;
  const preset = {
    format: 'overcommit-lab-preset',
    version: 1,
    kind: 'hardware',
    id,
    name: isEdited ? `${hw.name} (edited)` : hw.name,
    description: isEdited ? `${hw.description} Edited costs: ${edited.join(', ')}.` : hw.description,
    hafdbs: hw.hafdbs,
    pkvm: hw.pkvm,
    // Optional flags: kept when the profile has them (an export without them would re-import as a profile
    // saved before they existed: no stage-2 cache maintenance, arm64's TLBI broadcast).
    ...(hw.s2fwb !== undefined ? { s2fwb: hw.s2fwb } : {}),
    ...(hw.remoteTlbFlush !== undefined ? { remoteTlbFlush: hw.remoteTlbFlush } : {}),
    defaultHarvest: hw.defaultHarvest,
    costs,
  };
  return { text: JSON.stringify(preset, null, 2) + '\n', fileName: `${id}.json` };
}

/** JSON text with object keys sorted: equal for equal plain data whatever the key order. */
function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x !== null && typeof x === 'object')
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(x) ?? 'null';
}

export type HardwareImport =
  { kind: 'new' } | { kind: 'builtin'; profile: HardwareProfile } | { kind: 'clash'; message: string };

/**
 * What importing `imported` does, given the built-in profiles. A new id is added. A built-in id is
 * refused unless the file is that profile unchanged (then the built-in is simply selected): the
 * built-ins are what the catalog's per-profile scenario variants were resolved on, so a file may not
 * replace one, and adding it beside the built-in would list two profiles with one id (before this
 * check the import said "Imported" and the file's costs were silently dropped).
 */
export function hardwareImport(imported: HardwareProfile, builtins: readonly HardwareProfile[]): HardwareImport {
  const builtin = builtins.find((h) => h.id === imported.id);
  if (!builtin) return { kind: 'new' };
  if (canonicalJson(builtin) === canonicalJson(imported)) return { kind: 'builtin', profile: builtin };
  const changed = editedCosts(imported, builtin);
  const what = changed.length > 0 ? `its costs differ (${changed.join(', ')})` : 'its contents differ';
  return {
    kind: 'clash',
    message:
      `its id '${imported.id}' is the built-in profile “${builtin.name}” and ${what}; ` +
      `give the preset an id of its own (e.g. '${imported.id}-edited') to import it beside the built-in one`,
  };
}
