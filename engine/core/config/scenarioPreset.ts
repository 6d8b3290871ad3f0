/**
 * The scenario preset (the body of a `kind: "scenario"` preset file). Unlike ScenarioConfig it refers
 * to presets by id, so one file can run on several hardware profiles (the seed debate):
 *  - `hardware`: the profile used by default; `profiles`: the profiles `--profile all` runs (includes it);
 *  - a guest's `workload` is a workload preset id or an inline WorkloadSpec;
 *  - a guest's `protected` may be "when-pkvm": protected on pKVM profiles, an ordinary guest elsewhere
 *    (protected guests exist only under pKVM);
 *  - `reclaim.harvest` may be "default": the profile's defaultHarvest.
 * resolve.ts turns it into a self-contained ScenarioConfig for one profile.
 */
import {
  HARVEST_MODES,
  type GuestSpec,
  type HarvestMode,
  type HostSpec,
  type ReclaimSpec,
  type RunSpec,
  type WorkloadSpec,
} from '../../protocol.ts';
import { guestPath, openObject, type Fields } from './fields.ts';
import { ID_PATTERN, ID_TEXT, MAX_GUESTS, VCPUS } from './limits.ts';
import { describeValue, type Problems } from './problems.ts';
import { GUEST_KEYS, memoryMiB, readHost, readMemoryBacking, readReclaimWith, readRun } from './sections.ts';
import { readWorkloadSpec } from './workload.ts';

export const SCENARIO_PRESET_KEYS = [
  'id',
  'name',
  'description',
  'hardware',
  'profiles',
  'host',
  'guests',
  'reclaim',
  'run',
] as const;

export type ProtectedSetting = boolean | 'when-pkvm';

export interface GuestPreset {
  name: string;
  memoryMiB: number;
  vcpus: number;
  /** A workload preset id, or an inline spec. */
  workload: string | WorkloadSpec;
  protected: ProtectedSetting;
  /** Absent: 'shmem-memfd' (GuestSpec.memoryBacking). */
  memoryBacking?: GuestSpec['memoryBacking'];
}

/**
 * What a preset's `reclaim.harvest` (and the CLI's --harvest) accepts: a mode, or 'default' (the
 * profile's defaultHarvest). The one list for the check and its message.
 */
export const PRESET_HARVEST_MODES: readonly (HarvestMode | 'default')[] = [...HARVEST_MODES, 'default'];

export type ReclaimPreset = Omit<ReclaimSpec, 'harvest'> & { harvest: HarvestMode | 'default' };

export interface ScenarioPreset {
  id: string;
  name: string;
  description: string;
  hardware: string;
  profiles: string[];
  host: HostSpec;
  guests: GuestPreset[];
  reclaim: ReclaimPreset;
  run: RunSpec;
}

export function readScenarioPresetFields(f: Fields): ScenarioPreset {
  const p = f.problems;
  const id = f.str('id', { pattern: ID_PATTERN, patternText: ID_TEXT });
  const name = f.str('name', { nonEmpty: true, maxLength: 200 });
  const description = f.str('description', { maxLength: 4000 });
  const hardware = f.str('hardware', { pattern: ID_PATTERN, patternText: ID_TEXT });
  const profiles = readIdList(f, 'profiles');
  if (hardware && profiles.length > 0 && !profiles.includes(hardware))
    p.add(f.at('profiles'), `must include the default hardware '${hardware}'`);
  const raw = (key: string): unknown => f.raw(key);
  const hostRaw = raw('host');
  const host = hostRaw === undefined ? undefined : readHost(p, hostRaw, f.at('host'));
  const guests = readGuestPresets(f);
  const reclaim = readReclaimPreset(p, raw('reclaim'), f.at('reclaim'));
  const runRaw = raw('run');
  const run = runRaw === undefined ? undefined : readRun(p, runRaw, f.at('run'));
  // Placeholders are returned only alongside recorded problems (callers check the count).
  return {
    id,
    name,
    description,
    hardware,
    profiles,
    host: host ?? ({} as HostSpec),
    guests,
    reclaim: reclaim ?? ({} as ReclaimPreset),
    run: run ?? ({} as RunSpec),
  };
}

function readIdList(f: Fields, key: string): string[] {
  const v = f.raw(key);
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length === 0) {
    f.problems.add(f.at(key), `expected a non-empty array of preset ids, got ${describeValue(v)}`);
    return [];
  }
  const ids: string[] = [];
  v.forEach((item, i) => {
    const at = `${f.at(key)}[${i}]`;
    if (typeof item !== 'string' || !ID_PATTERN.test(item))
      f.problems.add(at, `expected a preset id, got ${describeValue(item)}`);
    else if (ids.includes(item)) f.problems.add(at, `duplicate profile '${item}'`);
    else ids.push(item);
  });
  return ids;
}

function readGuestPresets(f: Fields): GuestPreset[] {
  const v = f.raw('guests');
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_GUESTS) {
    f.problems.add(
      f.at('guests'),
      `expected an array of 1 to ${MAX_GUESTS} guests, got ${Array.isArray(v) ? v.length : describeValue(v)}`,
    );
    return [];
  }
  const guests: GuestPreset[] = [];
  v.forEach((item, i) => {
    const g = openObject(f.problems, item, guestPath(f.at('guests'), i, item), GUEST_KEYS);
    if (!g) return;
    const name = g.str('name', { nonEmpty: true, maxLength: 64 });
    const mem = memoryMiB(g, 'memoryMiB');
    const vcpus = g.num('vcpus', VCPUS);
    const w = g.raw('workload');
    let workload: string | WorkloadSpec = '';
    if (typeof w === 'string') {
      if (!ID_PATTERN.test(w))
        f.problems.add(
          g.at('workload'),
          `expected a workload preset id or an inline workload, got ${describeValue(w)}`,
        );
      workload = w;
    } else if (w !== undefined) {
      workload = readWorkloadSpec(f.problems, w, g.at('workload')) ?? '';
    }
    const prot = g.raw('protected');
    let isProtected: ProtectedSetting = false;
    if (prot === true || prot === false || prot === 'when-pkvm') isProtected = prot;
    else if (prot !== undefined)
      f.problems.add(g.at('protected'), `expected true, false or "when-pkvm", got ${describeValue(prot)}`);
    const memoryBacking = readMemoryBacking(g);
    const guest: GuestPreset = { name, memoryMiB: mem, vcpus, workload, protected: isProtected };
    if (memoryBacking !== undefined) guest.memoryBacking = memoryBacking;
    guests.push(guest);
  });
  return guests;
}

/** Like readReclaim, with `harvest` also accepting "default" (PRESET_HARVEST_MODES). */
function readReclaimPreset(p: Problems, x: unknown, path: string): ReclaimPreset | undefined {
  if (x === undefined) return undefined;
  return readReclaimWith(p, x, path, PRESET_HARVEST_MODES);
}
