/**
 * Ad-hoc runs (`lab run --hardware X --workload a,b`): builds a scenario preset in memory, one guest per
 * workload, and adds it to a copy of the preset set under the id 'adhoc', so it is resolved and
 * validated exactly like a shipped scenario. Defaults: each guest just fits its workload, the host
 * holds two thirds of the guests' memory (150% overcommit, as in the seed debate), zram swap for all.
 */
import type { PresetSet, ScenarioPreset } from '../core/config/index.ts';
import type { TraceInfo } from '../core/config/index.ts';
import type { RunArgs } from './args.ts';
import { unknownId } from './args.ts';

export const ADHOC_ID = 'adhoc';

export function withAdhocScenario(set: PresetSet, args: RunArgs, traces: TraceInfo): PresetSet {
  // --guest-mib sets every guest and, through the defaults, the host and the swap size: past the
  // validator's limit it came back as three problems about fields the user never named (s17-g's trial).
  // parseArgs checks it against the field's range (args.ts OPTION_RANGES), naming the option.
  const guests = args.workloads.map((id, i) => {
    const w = set.workloads.get(id);
    if (!w) throw unknownId('workload', id, set.workloads.keys());
    const pages = w.workload.kind === 'trace' ? (traces[w.workload.trace]?.distinct ?? 1) : w.workload.pages;
    return {
      name: args.workloads.length === 1 ? id : `${id}-${i + 1}`,
      memoryMiB: args.guestMiB ?? Math.ceil(pages / 256),
      vcpus: args.vcpus ?? 1,
      workload: id,
      protected: false as const,
    };
  });
  const total = guests.reduce((a, g) => a + g.memoryMiB, 0);
  const hostMiB = args.hostMiB ?? Math.max(1, Math.round((total * 2) / 3));
  const swap = args.swap ?? 'zram';
  const hardware = args.hardware ?? firstProfile(set, args.profile);
  const profiles = args.profile === 'all' ? [...set.hardware.keys()] : [args.profile ?? hardware];
  const preset: ScenarioPreset = {
    id: ADHOC_ID,
    name: `ad hoc: ${args.workloads.join(' + ')}`,
    description: 'Built from command-line options.',
    hardware: profiles.includes(hardware) ? hardware : profiles[0],
    profiles,
    host: {
      memoryMiB: hostMiB,
      watermarks: { minPct: 1, lowPct: 2, highPct: 3 },
      swap: { device: swap, sizeMiB: swap === 'none' ? 0 : (args.swapMiB ?? total) },
    },
    guests,
    reclaim: {
      policy: 'mglru',
      harvest: 'default',
      agingIntervalMs: 100,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 1000,
      sampleIntervalMs: 50,
      seed: 1,
      deterministic: false,
      workers: 0,
      refaultWindowMs: 500,
      demandOnly: false,
    },
  };
  const scenarios = new Map(set.scenarios);
  scenarios.set(ADHOC_ID, preset);
  return { ...set, scenarios };
}

function firstProfile(set: PresetSet, profile: string | undefined): string {
  if (profile && profile !== 'all') return profile;
  return [...set.hardware.keys()][0] ?? '';
}
