/**
 * What differs between two configs, as a short run label: `describeOverrides(base, config)` ->
 * 'host 768 MiB · 6 vCPU'. Used for sweep points and for the UI's run labels (a run made from a
 * scenario with a few knobs changed is named by those knobs, not by the scenario alone).
 *
 * Contract: pure; compares every leaf field of the two configs (name and description ignored); a
 * different hardware profile is named once by its id (its copied costs are not listed one by one
 * unless the profile id is the same); unknown fields fall back to `path=value`. Equal configs give ''.
 */
import type { ScenarioConfig } from '../../protocol.ts';

export interface ConfigChange {
  /** Config path as the override grammar writes it (guests by name): 'guests.web.vcpus'. */
  path: string;
  value: unknown;
  /** Short human text: 'web 8 vCPU', 'host 768 MiB', 'clock'. */
  label: string;
}

const IGNORED = new Set(['name', 'description']);

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(6)));
}

function fmtValue(v: unknown): string {
  if (typeof v === 'number') return fmt(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Label of one changed leaf; `guest` is the guest's display prefix ('' when there is one guest). */
function labelOf(path: string, value: unknown, guest: string): string {
  const v = fmtValue(value);
  const g = guest ? `${guest} ` : '';
  const field = path.replace(/^guests\.[^.]+\./, '');
  if (path.startsWith('guests.')) {
    switch (field) {
      case 'memoryMiB':
        return `${g || 'guest '}${v} MiB`;
      case 'vcpus':
        return `${g}${v} vCPU`;
      case 'protected':
        return `${g}${value ? 'protected' : 'unprotected'}`;
      case 'workload.kind':
        return `${g}${v} workload`;
      case 'workload.trace':
        return `${g}trace ${v}`;
      default:
        return `${g}${field.replace(/^workload\./, '')}=${v}`;
    }
  }
  switch (path) {
    case 'hardware.id':
      return v;
    case 'host.memoryMiB':
      return `host ${v} MiB`;
    case 'host.swap.device':
      return `swap ${v}`;
    case 'host.swap.sizeMiB':
      return `swap ${v} MiB`;
    case 'reclaim.policy':
      return v;
    case 'reclaim.harvest':
      return `harvest ${v}`;
    case 'reclaim.lookaround':
      return value ? 'lookaround' : 'no lookaround';
    case 'reclaim.mapYoung':
      return value ? 'map young' : 'map old';
    case 'reclaim.tlb.enabled':
      return value ? 'TLB' : 'no TLB';
    case 'run.seed':
      return `seed ${v}`;
    case 'run.durationMs':
      return `${v} ms`;
    case 'run.deterministic':
      return value ? 'deterministic' : 'parallel';
    case 'run.workers':
      return `${v} workers`;
    default:
      return `${path}=${v}`;
  }
}

function leaves(x: unknown, path: string, out: Map<string, unknown>): void {
  if (typeof x === 'object' && x !== null && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) leaves(v, path ? `${path}.${k}` : k, out);
  } else out.set(path, x);
}

/** Every changed leaf of `config` relative to `base`, in config order. */
export function configChanges(base: ScenarioConfig, config: ScenarioConfig): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const push = (path: string, value: unknown, guest = '') =>
    changes.push({ path, value, label: labelOf(path, value, guest) });
  const compare = (section: string, a: unknown, b: unknown, prefix = section, guest = '') => {
    const la = new Map<string, unknown>();
    const lb = new Map<string, unknown>();
    leaves(a, '', la);
    leaves(b, '', lb);
    for (const [k, v] of lb) {
      if (la.has(k) && JSON.stringify(la.get(k)) === JSON.stringify(v)) continue;
      push(k ? `${prefix}.${k}` : prefix, v, guest);
    }
  };
  if (base.hardware.id !== config.hardware.id) push('hardware.id', config.hardware.id);
  else compare('hardware', base.hardware, config.hardware);
  compare('host', base.host, config.host);
  const many = config.guests.length > 1;
  if (base.guests.length !== config.guests.length) push('guests', `${config.guests.length} guests`);
  config.guests.forEach((g, i) => {
    const b = base.guests.find((x) => x.name === g.name) ?? base.guests[i];
    if (!b) return;
    const { name: _n, ...gRest } = g;
    const { name: _b, ...bRest } = b;
    compare('guests', bRest, gRest, `guests.${g.name}`, many ? g.name : '');
  });
  compare('reclaim', base.reclaim, config.reclaim);
  compare('run', base.run, config.run);
  return changes.filter((c) => !IGNORED.has(c.path));
}

/** 'host 768 MiB · 6 vCPU' — what `config` changes relative to `base`; '' when nothing does. */
export function describeOverrides(base: ScenarioConfig, config: ScenarioConfig): string {
  return configChanges(base, config)
    .map((c) => c.label)
    .join(' · ');
}

/**
 * Label of one override as written (`hardware`, `guests.web.vcpus`, `guests[0].memoryMiB`,
 * `guests.*.vcpus`, `reclaim.policy`...), in the words describeOverrides uses.
 */
export function overrideLabel(path: string, value: unknown, config: ScenarioConfig): string {
  if (path === 'hardware') return String(value);
  const m = /^guests(?:\.([^.[\]]+)|\[(\d+|\*)\])\.(.+)$/.exec(path);
  if (!m) return labelOf(path, value, '');
  const sel = m[1] ?? m[2];
  const byIndex = /^\d+$/.test(sel) ? config.guests[Number(sel)]?.name : undefined;
  const guest = sel === '*' || config.guests.length === 1 ? '' : (byIndex ?? sel);
  return labelOf(`guests.${guest || 'all'}.${m[3]}`, value, guest);
}
