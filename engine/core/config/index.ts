/**
 * engine/core/config: strict validation of run configurations and preset files (pure TypeScript).
 * Validators return Result (protocol.ts) and list every problem found, each as `path: message`.
 */
export { validateHardwareProfile } from './hardware.ts';
export { validateWorkloadSpec, WORKLOAD_KINDS } from './workload.ts';
export { validateScenario, validateScenarioStructure, type ValidateOptions } from './scenario.ts';
export { validateGuestSpec, validateHostSpec, validateReclaimSpec, validateRunSpec } from './sectionValidators.ts';
export type { TraceInfo } from './semantics.ts';
export {
  parsePresetFile,
  validatePresetFile,
  parseHardwarePresetFile,
  PRESET_FORMAT,
  PRESET_VERSION,
  type PresetFile,
  type PresetKind,
  type WorkloadPreset,
} from './presetFile.ts';
export type { ScenarioPreset, GuestPreset, ReclaimPreset, ProtectedSetting } from './scenarioPreset.ts';
export { loadPresets, emptyPresetSet, presetId, type PresetSet, type LoadedPresets } from './presetSet.ts';
export { resolveScenario, scenarioProfiles, type ScenarioOverrides } from './resolve.ts';
export { buildCatalog, profileVariantId, PROFILE_SEPARATOR } from './catalog.ts';
export { MAX_MEMORY_MIB, MAX_VCPUS, PAGES_PER_MIB, PAGE_BYTES, mibToPages } from './limits.ts';
