/**
 * Run identity: what a run's configuration changes relative to the scenario it came from, in a few
 * words ("host 768 MiB · 6 vCPU"), so runs that share a profile and a scenario can be told apart in the
 * run list, legends, tooltips, summary headers and CSV. Pure (unit-tested in test/renderer/explain.test.ts, "run identity").
 *
 * The base is the catalog's scenario resolved on the run's hardware profile ('<id>@<hardware>' when
 * the catalog has it), found by the run's scenario name; with no base the label is empty.
 */
import type { PresetCatalog, ScenarioConfig } from '../../../engine/protocol.ts';

/** The catalog scenario `config` was made from, on the same hardware profile when the catalog has it. */
export function baseScenarioOf(config: ScenarioConfig, catalog: PresetCatalog | null): ScenarioConfig | null {
  const list = catalog?.scenarios ?? [];
  const named = list.filter((s) => s.config.name === config.name || s.config.description === config.description);
  if (named.length === 0) return null;
  const root = named[0].id.split('@')[0];
  const family = list.filter((s) => s.id === root || s.id.startsWith(`${root}@`));
  return (family.find((s) => s.config.hardware.id === config.hardware.id) ?? named[0]).config;
}

type Leaf = string | number | boolean | null;

function flatten(v: unknown, path: string, out: Map<string, Leaf>): void {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
    else for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
    return;
  }
  out.set(path, v as Leaf);
}

const num = (v: Leaf): string => (typeof v === 'number' ? String(+v.toPrecision(6)) : String(v));

/** One changed leaf as words; `guest` is the guest's name when the scenario has several guests. */
function describeLeaf(path: string, v: Leaf, config: ScenarioConfig): string | null {
  const g = /^guests\[(\d+)\]\.(.+)$/.exec(path);
  if (g) {
    const guest = config.guests[Number(g[1])];
    const who = config.guests.length > 1 && guest ? `${guest.name} ` : '';
    const key = g[2];
    if (key === 'name') return null;
    if (key === 'memoryMiB') return `${who}${num(v)} MiB`;
    if (key === 'vcpus') return `${who}${num(v)} vCPU`;
    if (key === 'protected') return `${who}${v ? 'protected' : 'not protected'}`;
    if (key === 'workload.kind') return `${who}${v}`;
    if (key === 'workload.pages') return `${who}${num(v)} pages`;
    if (key === 'workload.trace') return `${who}trace ${v}`;
    return `${who}${key.replace(/^workload\./, '')} ${num(v)}`;
  }
  const c = /^hardware\.costs\.(\w+)\.(ns|source)$/.exec(path);
  if (c) return c[2] === 'ns' ? `${c[1]} ${num(v)} ns` : null;
  switch (path) {
    case 'name':
    case 'description':
      return null;
    case 'host.memoryMiB':
      return `host ${num(v)} MiB`;
    case 'host.swap.device':
      return `swap ${v}`;
    case 'host.swap.sizeMiB':
      return `swap ${num(v)} MiB`;
    case 'host.watermarks.minPct':
      return `min wm ${num(v)}%`;
    case 'host.watermarks.lowPct':
      return `low wm ${num(v)}%`;
    case 'host.watermarks.highPct':
      return `high wm ${num(v)}%`;
    case 'reclaim.policy':
    case 'reclaim.harvest':
      return String(v);
    case 'reclaim.agingIntervalMs':
      return `aging ≥ ${num(v)} ms`;
    case 'reclaim.lookaround':
      return v ? 'lookaround' : 'no lookaround';
    case 'reclaim.mapYoung':
      return v ? 'map young' : 'map old';
    case 'reclaim.tlb.enabled':
      return v ? 'TLB' : 'no TLB';
    case 'reclaim.tlb.entries':
      return `TLB ${num(v)} entries`;
    case 'reclaim.tlb.flushOnClear':
      return v ? 'flush on clear' : 'no flush on clear';
    case 'reclaim.allowLocklessWithoutHafdbs':
      return v ? 'lockless without HAFDBS' : null;
    case 'run.durationMs':
      return `${num(v)} ms`;
    case 'run.sampleIntervalMs':
      return `sample ${num(v)} ms`;
    case 'run.seed':
      return `seed ${num(v)}`;
    case 'run.deterministic':
      return v ? 'deterministic' : 'parallel';
    case 'run.workers':
      return `${num(v)} workers`;
    case 'run.refaultWindowMs':
      return `window ${num(v)} ms`;
    case 'run.demandOnly':
      return v ? 'demand only' : 'watermarks';
    default:
      if (path.startsWith('hardware.')) return null; // the profile itself is named elsewhere
      return `${path.split('.').pop()} ${num(v)}`;
  }
}

/** What `config` changes relative to `base`, as short parts in config order. */
export function configDiff(config: ScenarioConfig, base: ScenarioConfig | null): string[] {
  if (!base) return [];
  const a = new Map<string, Leaf>();
  const b = new Map<string, Leaf>();
  flatten(config, '', a);
  flatten(base, '', b);
  const parts: string[] = [];
  if (config.guests.length !== base.guests.length) parts.push(`${config.guests.length} guests`);
  for (const [path, v] of a) {
    if (b.has(path) && b.get(path) === v) continue;
    if (!b.has(path) && /^guests\[/.test(path) && config.guests.length !== base.guests.length) continue;
    const text = describeLeaf(path, v, config);
    if (text && !parts.includes(text)) parts.push(text);
  }
  return parts;
}

/**
 * The identity label: the changed settings joined with " · " ('' when the run is its scenario as is).
 * When the catalog has no resolution of the scenario on the run's profile (e.g. seed-debate on
 * x86-workstation, or on an imported profile), the base is the scenario on another profile: its
 * hardware is then replaced by the catalog's copy of the run's profile (or by the run's own profile
 * when the catalog has none), so the profile's own costs are not listed as edits; the profile is
 * named by its name beside the label, and a cost the user edited on it is still listed.
 */
export function runIdentity(config: ScenarioConfig, catalog: PresetCatalog | null): string {
  return runIdentityParts(config, catalog).join(' · ');
}

/** runIdentity's parts (a changed reclaim.harvest is the part that is the mode itself, e.g. 'locked-write'). */
export function runIdentityParts(config: ScenarioConfig, catalog: PresetCatalog | null): string[] {
  const base = baseScenarioOf(config, catalog);
  if (base && base.hardware.id !== config.hardware.id) {
    const hardware = catalog?.hardware.find((h) => h.id === config.hardware.id) ?? config.hardware;
    return configDiff(config, { ...base, hardware });
  }
  return configDiff(config, base);
}

/**
 * A scenario's name without the profile a preset was resolved on: the engine names a resolution
 * "<scenario> — <profile name>" (seed-debate), which the Scenario drop-down under the profile picker
 * need not repeat. `hardwareNames`: the names a suffix may be (every listed profile's).
 */
export function scenarioBaseName(name: string, hardwareNames: readonly string[]): string {
  const hw = hardwareNames.find((h) => name.endsWith(` — ${h}`));
  return hw === undefined ? name : name.slice(0, -` — ${hw}`.length);
}

/** A title for a scenario whose capacity may have been edited: "… 10000 pages" follows the host's size. */
export function scenarioTitle(config: ScenarioConfig): string {
  const pages = Math.round(config.host.memoryMiB * 256);
  return config.name.replace(/\b\d[\d\u2009 ,]*\s*pages\b/, `${pages} pages`);
}
