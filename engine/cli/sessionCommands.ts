/**
 * `lab show file` and `lab compare a b ...`: session files as the same side-by-side table, or JSON.
 * Every string from a file reaches the terminal escaped (termSafe); files are read once each.
 */
import path from 'node:path';
import type { SessionData } from '../protocol.ts';
import type { CliContext } from './context.ts';
import { jsonText, runJson, summaryTable, termSafe, textWidth, wrap, type Column } from './format.ts';
import { readSessionFile } from './session.ts';
import { showSweeps } from './sweepFormat.ts';

export function showCommand(file: string, json: boolean, ctx: CliContext): number {
  const s = readSessionFile(file);
  if (s.sweeps?.length) return showSweeps(file, s, json, ctx);
  return printColumns(columnsOf([[file, s]], false), json, ctx, `${file}: ${sessionTitle(s)}`);
}

/**
 * The session's title from its runs, not only its draft: a preset resolved on a profile is named
 * "<scenario> — <profile name>" (the draft carries the first profile's), which for runs on several
 * profiles named one of them as if all ran there. Several profiles: "<scenario> — N runs on M profiles:
 * id, id"; one: "<scenario> — <its name>"; no runs: the draft's name.
 */
export function sessionTitle(s: SessionData): string {
  if (s.runs.length === 0) return s.draft.name;
  const profiles = [...new Map(s.runs.map((r) => [r.config.hardware.id, r.config.hardware])).values()];
  const names = new Set([s.draft.hardware.name, ...profiles.map((h) => h.name)]);
  // The scenario's own name: without a trailing " — <profile name>" of the draft's or a run's profile.
  const base = [...names].reduce(
    (name, hw) => (name.endsWith(` — ${hw}`) ? name.slice(0, -` — ${hw}`.length) : name),
    s.draft.name,
  );
  if (profiles.length === 1) return `${base} — ${profiles[0].name}`;
  const runs = `${s.runs.length} run${s.runs.length > 1 ? 's' : ''}`;
  return `${base} — ${runs} on ${profiles.length} profiles: ${profiles.map((h) => h.id).join(', ')}`;
}

export function compareCommand(files: readonly string[], json: boolean, ctx: CliContext): number {
  const sessions = files.map((f): [string, SessionData] => [f, readSessionFile(f)]);
  return printColumns(columnsOf(sessions, true), json, ctx, `compare: ${files.join(' vs ')}`);
}

/**
 * Each run's column label: "#N <hardware id>" (the id alone for a single run), or for a run of a sweep
 * "#N <point label>" — the point's axis values as the sweep names them ("host 1024 MiB · clock",
 * engine/core/config/diff.ts overrideLabel), with " · seed S" when the sweep has several seeds, and the
 * sweep's name first when the session holds several sweeps. Before s15-k every sweep run was
 * "#N ampere-altra", so the points of a sweep could not be told apart in `lab compare`.
 */
export function runLabels(s: SessionData): string[] {
  const sweepLabel = new Map<number, string>();
  const sweeps = s.sweeps ?? [];
  for (const record of sweeps)
    for (const point of record.points)
      point.runs.forEach((run, j) => {
        if (run < 0) return;
        const seed = record.seeds.length > 1 ? ` · seed ${record.seeds[j]}` : '';
        sweepLabel.set(run, `${sweeps.length > 1 ? `${record.name}: ` : ''}${point.label}${seed}`);
      });
  return s.runs.map((result, i) => {
    const what = sweepLabel.get(i) ?? result.config.hardware.id;
    return s.runs.length > 1 ? `#${i + 1} ${what}` : what;
  });
}

function columnsOf(sessions: readonly [string, SessionData][], prefixFile: boolean): Column[] {
  const columns: Column[] = [];
  for (const [file, s] of sessions) {
    const labels = runLabels(s);
    s.runs.forEach((result, i) => {
      columns.push({ label: prefixFile ? `${path.basename(file)}:${labels[i]}` : labels[i], result });
    });
  }
  return columns;
}

function printColumns(columns: Column[], json: boolean, ctx: CliContext, title: string): number {
  if (json) {
    ctx.stdout(`${jsonText({ runs: columns.map((c) => runJson(c.label, c.result)) })}\n`);
    return 0;
  }
  // Wrapped like the table under it: a 3-profile session's title (path, scenario, profiles) was 128 columns.
  ctx.stdout(`${wrap(termSafe(title), textWidth(ctx.columns))}\n\n`);
  ctx.stdout(columns.length === 0 ? 'no runs in this session\n' : `${summaryTable(columns, textWidth(ctx.columns))}\n`);
  return 0;
}
