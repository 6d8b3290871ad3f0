/**
 * CSV export of one run's sampled columns: a header of SAMPLE_COLUMNS, one line per sample row.
 * Numbers are written with JavaScript's shortest round-trip formatting (String(n)), so parsing the CSV
 * gives back the exact float64 values; NaN and infinities are written as NaN, Infinity, -Infinity.
 * Lines end with "\n" (RFC 4180 allows it; every spreadsheet reads it).
 */
import { SAMPLE_COLUMNS, type SessionData } from '../protocol.ts';

/** Text per chunk: the export is streamed in pieces of about this many characters. */
export const CSV_CHUNK_CHARS = 1 << 20;

/**
 * @param runIndex which run to export; defaults to the UI's selected run, else the last run.
 * @throws RangeError when the session has no such run (a caller's bug: the UI offers export only for a run).
 */
export function sessionToCsv(session: SessionData, runIndex?: number): string {
  return [...sessionCsvChunks(session, runIndex)].join('');
}

/**
 * The same CSV as chunks of about CSV_CHUNK_CHARS characters, in order. A large session's CSV is
 * longer than the longest string V8 can build ("Invalid string length"), so writers take the chunks.
 * The run index is checked before the first chunk (same RangeError as sessionToCsv).
 */
export function sessionCsvChunks(session: SessionData, runIndex?: number): Iterable<string> {
  const index =
    runIndex ??
    (session.ui.selectedRun >= 0 && session.ui.selectedRun < session.runs.length
      ? session.ui.selectedRun
      : session.runs.length - 1);
  const run = session.runs[index];
  if (!Number.isInteger(index) || run === undefined) {
    throw new RangeError(`no run ${index} in this session (it has ${session.runs.length})`);
  }
  const columns = SAMPLE_COLUMNS.map((name) => run.samples[name]);
  const rows = columns[0].length;
  return (function* () {
    let chunk = `${SAMPLE_COLUMNS.join(',')}\n`;
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < columns.length; c++) line += (c ? ',' : '') + String(columns[c][r]);
      chunk += `${line}\n`;
      if (chunk.length >= CSV_CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  })();
}
