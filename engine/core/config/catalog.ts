/**
 * The preset catalog the UI lists (LabApi.listPresets), built once here for every host (Electron main
 * and the browser edition).
 *
 * Contract (read by renderer/src/state/lab.svelte.ts): one entry per scenario, id '<scenario>',
 * resolved on its default hardware; plus, for a scenario listing several profiles, one entry per other
 * profile, id '<scenario>@<hardware id>', resolved by the engine on that profile. So switching profile
 * in the UI takes what depends on the profile from the engine (e.g. seed-debate's "vault" guest is
 * protected only on pKVM, harvest 'default' becomes that profile's default harvest), never a guess.
 * A scenario (or variant) that does not resolve is left out, never fatal.
 */
import type { PresetCatalog } from '../../protocol.ts';
import type { PresetSet } from './presetSet.ts';
import { resolveScenario, scenarioProfiles } from './resolve.ts';

/** Separator of per-profile catalog ids: '<scenario>@<hardware id>'. */
export const PROFILE_SEPARATOR = '@';

export function profileVariantId(scenarioId: string, hardwareId: string): string {
  return `${scenarioId}${PROFILE_SEPARATOR}${hardwareId}`;
}

/** Preset values are plain JSON data, so a JSON round trip is a deep copy. */
function cloneJson<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

export function buildCatalog(set: PresetSet): PresetCatalog {
  const base: PresetCatalog['scenarios'] = [];
  const variants: PresetCatalog['scenarios'] = [];
  for (const id of set.scenarios.keys()) {
    const r = resolveScenario(set, id);
    if (!r.ok) continue;
    base.push({ id, config: r.value });
    for (const hw of scenarioProfiles(set, id)) {
      if (hw === r.value.hardware.id) continue;
      const v = resolveScenario(set, id, { hardware: hw });
      if (v.ok) variants.push({ id: profileVariantId(id, hw), config: v.value });
    }
  }
  return {
    hardware: [...set.hardware.values()].map((h) => cloneJson(h)),
    workloads: [...set.workloads.values()].map((w) => cloneJson(w)),
    scenarios: [...base, ...variants],
  };
}
