/**
 * Diagnostics: the memcached-like scenario's two variants, locked-write (before the seed) and lockless
 * (after), resolved from presets/ (on --profile=<id> if given) (the scenario id is the first argument that is not a flag, by default
 * repro-memcached-arm64), deterministic, with `seed` if given; and the client's warm-up (the first
 * warmupMs are not measured). Shared by _memcachedTail and _mmuLockConcurrency.
 */
import path from 'node:path';
import { resolveScenario } from '../engine/core/config/resolve.ts';
import type { ScenarioConfig } from '../engine/protocol.ts';
import { loadPresetDir } from '../presets/node.ts';

export interface MemcachedVariant {
  scenario: string;
  harvest: 'locked-write' | 'lockless';
  config: ScenarioConfig;
  warmupMs: number;
}

export function memcachedVariants(seed: number | undefined): MemcachedVariant[] {
  const presets = loadPresetDir(path.join(process.cwd(), 'presets'));
  const scenario = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'repro-memcached-arm64';
  // --profile=<hardware-id>: the reproduce command's what-if (every run on that hardware profile).
  const hardware = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length);
  return (['locked-write', 'lockless'] as const).map((harvest) => {
    const r = resolveScenario(presets.set, scenario, { harvest, ...(hardware === undefined ? {} : { hardware }) });
    if (!r.ok) throw new Error(r.error.message);
    const config = {
      ...r.value,
      run: { ...r.value.run, deterministic: true, ...(seed !== undefined ? { seed } : {}) },
    };
    const wl = config.guests[0].workload;
    const warmupMs = 'client' in wl && wl.client ? (wl.client.warmupMs ?? 0) : 0;
    return { scenario, harvest, config, warmupMs };
  });
}
