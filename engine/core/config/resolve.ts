/**
 * Scenario presets -> self-contained ScenarioConfig (preset values copied in, never referenced).
 *
 * Overrides are what the CLI and UI change per run: the hardware profile (to run one scenario on each
 * of its profiles), harvest mode, reclaim policy and run parameters. The result is validated in full,
 * so an override that makes no sense (lockless on pKVM) is a clear error, not a strange run.
 */
import type { GuestSpec, HarvestMode, ReclaimPolicy, Result, ScenarioConfig } from '../../protocol.ts';
import { guestPath } from './fields.ts';
import { knownIds } from './suggest.ts';
import type { PresetSet } from './presetSet.ts';
import { validateScenario, type ValidateOptions } from './scenario.ts';

export interface ScenarioOverrides {
  /** Hardware profile id (default: the scenario's `hardware`). */
  hardware?: string;
  harvest?: HarvestMode;
  policy?: ReclaimPolicy;
  durationMs?: number;
  sampleIntervalMs?: number;
  seed?: number;
  deterministic?: boolean;
  workers?: number;
}

/** Preset values are plain JSON data, so a JSON round trip is a deep copy (structuredClone is not in ES2024 lib). */
function cloneJson<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

function fail<T>(message: string): Result<T> {
  return { ok: false, error: { name: 'ValidationError', message } };
}

export function resolveScenario(
  set: PresetSet,
  id: string,
  overrides: ScenarioOverrides = {},
  options: ValidateOptions = {},
): Result<ScenarioConfig> {
  const preset = set.scenarios.get(id);
  if (!preset) return fail(`unknown scenario '${id}' (known: ${[...set.scenarios.keys()].join(', ') || 'none'})`);
  const hwId = overrides.hardware ?? preset.hardware;
  const hardware = set.hardware.get(hwId);
  if (!hardware) return fail(`unknown hardware profile '${hwId}' ${knownIds(hwId, set.hardware.keys())}`);

  const guests: GuestSpec[] = [];
  for (const [i, g] of preset.guests.entries()) {
    let workload = g.workload;
    if (typeof workload === 'string') {
      const w = set.workloads.get(workload);
      if (!w)
        return fail(`scenario '${id}': ${guestPath('guests', i, g)}.workload: unknown workload preset '${workload}'`);
      workload = w.workload;
    }
    guests.push({
      name: g.name,
      memoryMiB: g.memoryMiB,
      vcpus: g.vcpus,
      workload: cloneJson(workload),
      protected: g.protected === 'when-pkvm' ? hardware.pkvm : g.protected,
      ...(g.memoryBacking === undefined ? {} : { memoryBacking: g.memoryBacking }),
    });
  }

  const run = { ...preset.run };
  // A duration that is not > 0 is left for validation to refuse alone: scaling the interval with it
  // (0 / 10) added a second problem, about a sample interval the user never set (as in overrides.ts).
  if (overrides.durationMs !== undefined) {
    run.durationMs = overrides.durationMs;
    // A shorter run keeps at least ~10 samples unless the caller chose the interval.
    if (run.durationMs > 0) {
      if (overrides.sampleIntervalMs === undefined && run.sampleIntervalMs > run.durationMs / 10)
        run.sampleIntervalMs = run.durationMs / 10;
      shrinkWarmups(guests, preset.run.durationMs, run.durationMs);
    }
  }
  if (overrides.sampleIntervalMs !== undefined) run.sampleIntervalMs = overrides.sampleIntervalMs;
  if (overrides.seed !== undefined) run.seed = overrides.seed;
  if (overrides.deterministic !== undefined) run.deterministic = overrides.deterministic;
  if (overrides.workers !== undefined) run.workers = overrides.workers;

  const { harvest, ...reclaimRest } = preset.reclaim;
  const config: ScenarioConfig = {
    name: preset.profiles.length > 1 ? `${preset.name} — ${hardware.name}` : preset.name,
    description: preset.description,
    hardware: cloneJson(hardware),
    host: cloneJson(preset.host),
    guests,
    reclaim: {
      ...cloneJson(reclaimRest),
      policy: overrides.policy ?? reclaimRest.policy,
      harvest: overrides.harvest ?? (harvest === 'default' ? hardware.defaultHarvest : harvest),
    },
    run,
  };
  const r = validateScenario(config, options);
  if (!r.ok) return { ok: false, error: { ...r.error, message: `scenario '${id}' on '${hwId}': ${r.error.message}` } };
  return r;
}

/**
 * A run made shorter than a closed-loop client's warm-up would measure nothing (and is refused): the
 * warm-up then keeps its share of the preset's run, as the sample interval does.
 */
export function shrinkWarmups(guests: readonly GuestSpec[], fromMs: number, toMs: number): void {
  // Also called on unvalidated overrides (overrides.ts): anything not shaped like a client is left alone.
  for (const g of guests as readonly unknown[]) {
    const c = (g as { workload?: { client?: { warmupMs?: unknown } } } | null)?.workload?.client;
    if (typeof c?.warmupMs === 'number' && c.warmupMs >= toMs && fromMs > 0) c.warmupMs = (c.warmupMs * toMs) / fromMs;
  }
}

/** The profiles `--profile all` runs for a scenario (its `profiles`, default first). */
export function scenarioProfiles(set: PresetSet, id: string): string[] {
  const preset = set.scenarios.get(id);
  if (!preset) return [];
  return [preset.hardware, ...preset.profiles.filter((p) => p !== preset.hardware)];
}
