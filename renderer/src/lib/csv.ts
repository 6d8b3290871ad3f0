/**
 * CSV of what is on screen: every shown run (one run, or all compared runs), each sample row tagged with
 * its run, preceded by a header block of '#' lines describing each run's configuration (pandas:
 * read_csv(comment='#'); spreadsheets show them as text rows). Numbers use JavaScript's shortest
 * round-trip form; a value that does not exist (NaN: eviction precision before any window closed) is an
 * empty cell, never "NaN". Pure (test/renderer/csv.test.ts).
 */
import type { RunResult, SampleColumn, ScenarioConfig } from '../../../engine/protocol.ts';
import { SAMPLE_COLUMNS } from './protocolLists.ts';

export interface CsvRun {
  /** 1-based run number as in the run list. */
  number: number;
  label: string;
  run: RunResult;
}

/** One field: quoted when it holds a comma, a quote or a line break. */
export function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}

/** The configuration in one line of "key=value" pairs (header block). */
export function configLine(c: ScenarioConfig): string {
  const wm = c.host.watermarks;
  const guests = c.guests
    .map((g) => {
      const w = g.workload;
      const what = w.kind === 'trace' ? `trace ${w.trace}` : `${w.kind} ${w.pages} pages`;
      return `${g.name} ${g.memoryMiB} MiB ${g.vcpus} vCPU ${what}${g.protected ? ' protected' : ''}`;
    })
    .join(' + ');
  const r = c.reclaim;
  const run = c.run;
  return [
    `scenario=${c.name}`,
    `hardware=${c.hardware.name} (${c.hardware.id})`,
    `host=${c.host.memoryMiB} MiB, watermarks ${wm.minPct}%/${wm.lowPct}%/${wm.highPct}%, swap ${c.host.swap.device} ${c.host.swap.sizeMiB} MiB`,
    `guests=${guests}`,
    `reclaim=${r.policy}, harvest ${r.harvest}, aging >= ${r.agingIntervalMs} ms, lookaround ${r.lookaround}, map young ${r.mapYoung}, TLB ${r.tlb.enabled ? `${r.tlb.entries} entries` : 'off'}`,
    `run=${run.durationMs} ms, sample ${run.sampleIntervalMs} ms, seed ${run.seed}, ${run.deterministic ? 'deterministic' : `workers ${run.workers}`}, refault window ${run.refaultWindowMs} ms${run.demandOnly ? ', demand only' : ''}`,
  ].join('; ');
}

/**
 * The screen CSV as chunks of at most about `chunkChars` characters, in order. A long run's CSV can be
 * longer than the longest string a JS engine makes ("Invalid string length"), so exports never join it
 * into one string: they encode chunk by chunk (screenCsvBytes).
 */
export function* screenCsvChunks(
  runs: readonly CsvRun[],
  meta: { app: string; exportedAt: string },
  chunkChars = 1 << 20,
): Generator<string> {
  let buf = `# ${meta.app} export, ${meta.exportedAt}; ${runs.length} run(s); empty cell = no value\n`;
  for (const r of runs) {
    buf += `# run ${r.number}: ${r.label}${r.run.stopped ? ' (stopped)' : ''}\n`;
    buf += `#   ${configLine(r.run.config)}\n`;
  }
  const cols: readonly SampleColumn[] = SAMPLE_COLUMNS;
  buf += ['run', 'label', ...cols].join(',') + '\n';
  for (const r of runs) {
    const label = csvField(r.label);
    const s = r.run.samples;
    const rows = s.tMs.length;
    for (let i = 0; i < rows; i++) {
      let line = `${r.number},${label}`;
      for (const c of cols) line += ',' + csvNumber(s[c][i]);
      buf += line + '\n';
      if (buf.length >= chunkChars) {
        yield buf;
        buf = '';
      }
    }
  }
  if (buf.length > 0) yield buf;
}

/** The screen CSV as one string (small exports and tests). */
export function screenCsv(runs: readonly CsvRun[], meta: { app: string; exportedAt: string }): string {
  return [...screenCsvChunks(runs, meta)].join('');
}

/** The screen CSV as UTF-8 bytes, encoded chunk by chunk (never one giant string). */
export function screenCsvBytes(runs: readonly CsvRun[], meta: { app: string; exportedAt: string }): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const chunk of screenCsvChunks(runs, meta)) {
    const b = enc.encode(chunk);
    parts.push(b);
    total += b.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}
