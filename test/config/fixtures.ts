/** Valid baseline configs for config tests, built from the shipped presets (deep copies). */
import { resolveScenario } from '../../engine/core/config/index.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';

export const loaded = loadPresetDir();

export function scenario(id = 'seed-debate', hardware?: string): ScenarioConfig {
  const r = resolveScenario(loaded.set, id, hardware ? { hardware } : {});
  if (!r.ok) throw new Error(r.error.message);
  return JSON.parse(JSON.stringify(r.value)) as ScenarioConfig;
}

/** Runs `fn` on a fresh copy and returns it as unknown (what validators take). */
export function mutate(fn: (c: ScenarioConfig & Record<string, unknown>) => void, base = scenario()): unknown {
  fn(base as ScenarioConfig & Record<string, unknown>);
  return base;
}
