/**
 * `lab presets`: lists hardware profiles, workloads and scenarios (ids first: they are what `run` takes).
 * `lab presets <id>`: one of them with its description — for a scenario, what it stands for, the lab's
 * figures and why (seed-debate's explains the harvest modes' order), which the list and `run` omit.
 */
import { scenarioProfiles } from '../core/config/index.ts';
import type { WorkloadSpec } from '../protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import type { CliContext } from './context.ts';
import { unknownId } from './args.ts';
import { jsonText, termSafe, textWidth, wrap } from './format.ts';

export function presetsCommand(json: boolean, ctx: CliContext): number {
  const { set, problems } = loadPresetDir(ctx.presetDir);
  if (json) {
    ctx.stdout(
      `${jsonText({
        hardware: [...set.hardware.values()],
        workloads: [...set.workloads.values()],
        scenarios: [...set.scenarios.values()].map((s) => ({
          id: s.id,
          name: s.name,
          profiles: scenarioProfiles(set, s.id),
        })),
        problems,
      })}\n`,
    );
    return problems.length > 0 ? 1 : 0;
  }
  // One id column for all three lists, as wide as the longest id (repro-max-guest-memory-v2 overran 20).
  const w = Math.max(
    ...[...set.hardware.keys(), ...set.workloads.keys(), ...set.scenarios.keys()].map((id) => id.length),
  );
  const lines: string[] = ['hardware profiles:'];
  for (const h of set.hardware.values())
    lines.push(
      `  ${h.id.padEnd(w)}  ${h.name}  [hafdbs ${h.hafdbs ? 'yes' : 'no'}, pkvm ${h.pkvm ? 'yes' : 'no'}, harvest ${h.defaultHarvest}]`,
    );
  lines.push('workloads:');
  for (const wl of set.workloads.values())
    lines.push(`  ${wl.id.padEnd(w)}  ${describeWorkload(wl.workload)}  ${wl.name}`);
  lines.push('scenarios:');
  for (const s of set.scenarios.values())
    lines.push(`  ${s.id.padEnd(w)}  ${s.name}  [profiles: ${scenarioProfiles(set, s.id).join(', ')}]`);
  if (problems.length > 0) lines.push('problems:', ...problems.map((p) => `  ${p}`));
  lines.push('one with its description: npm run lab -- presets <id>');
  ctx.stdout(`${lines.map(termSafe).join('\n')}\n`);
  return problems.length > 0 ? 1 : 0;
}

function describeWorkload(w: WorkloadSpec): string {
  switch (w.kind) {
    case 'zipf':
      return `zipf θ=${w.theta}, ${w.pages} pages`;
    case 'uniform':
    case 'scan':
      return `${w.kind}, ${w.pages} pages`;
    case 'hotset':
      return `hotset ${w.hotPages}/${w.pages} pages`;
    case 'trace':
      return `trace ${w.trace}`;
    default: {
      const never: never = w;
      return String(never);
    }
  }
}

/** `lab presets <id>`: the scenario, hardware profile or workload named, with its description. */
export function presetCommand(id: string, json: boolean, ctx: CliContext): number {
  const { set } = loadPresetDir(ctx.presetDir);
  const scenario = set.scenarios.get(id);
  const hardware = set.hardware.get(id);
  const workload = set.workloads.get(id);
  const found = scenario ?? hardware ?? workload;
  if (!found) {
    throw unknownId('preset', id, [...set.scenarios.keys(), ...set.hardware.keys(), ...set.workloads.keys()]);
  }
  if (json) {
    ctx.stdout(`${jsonText(found)}\n`);
    return 0;
  }
  const kind = scenario ? 'scenario' : hardware ? 'hardware profile' : 'workload';
  const lines = [`${kind} ${id}: ${found.name}`];
  if (scenario) lines.push(`profiles: ${scenarioProfiles(set, id).join(', ')}`);
  // Escaped before wrapping: the wrap's own line breaks must reach the terminal as line breaks. Wrapped
  // to the terminal's width (100 columns when stdout is a pipe or a file, so tests and diffs are stable),
  // as `reproduce` does: at a fixed 100 a 80-column terminal broke every line again mid-phrase (s15 trial).
  lines.push('', wrap(termSafe(found.description), textWidth(ctx.columns)));
  if (scenario) lines.push('', `run it: npm run lab -- run ${id} (see npm run lab -- help for options)`);
  ctx.stdout(`${lines.join('\n')}\n`);
  return 0;
}
