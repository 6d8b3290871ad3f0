/** `lab show file` and `lab compare a b ...`: session files as the same side-by-side table, or JSON. */
import path from 'node:path';
import type { CliContext } from './context.ts';
import { runJson, summaryTable, type Column } from './format.ts';
import { readSessionFile } from './session.ts';
import { showSweeps } from './sweepFormat.ts';

export function showCommand(file: string, json: boolean, ctx: CliContext): number {
  const session = readSessionFile(file);
  if (session.sweeps?.length) return showSweeps(file, session, json, ctx);
  return printColumns(columnsOf([file], false), json, ctx, `${file}: ${readSessionFile(file).draft.name}`);
}

export function compareCommand(files: readonly string[], json: boolean, ctx: CliContext): number {
  return printColumns(columnsOf(files, true), json, ctx, `compare: ${files.join(' vs ')}`);
}

function columnsOf(files: readonly string[], prefixFile: boolean): Column[] {
  const columns: Column[] = [];
  for (const file of files) {
    const s = readSessionFile(file);
    s.runs.forEach((result, i) => {
      const run = s.runs.length > 1 ? `#${i + 1} ${result.config.hardware.id}` : result.config.hardware.id;
      columns.push({ label: prefixFile ? `${path.basename(file)}:${run}` : run, result });
    });
  }
  return columns;
}

function printColumns(columns: Column[], json: boolean, ctx: CliContext, title: string): number {
  if (json) {
    ctx.stdout(`${JSON.stringify({ runs: columns.map((c) => runJson(c.label, c.result)) }, null, 2)}\n`);
    return 0;
  }
  ctx.stdout(`${title}\n\n`);
  ctx.stdout(columns.length === 0 ? 'no runs in this session\n' : `${summaryTable(columns)}\n`);
  return 0;
}
