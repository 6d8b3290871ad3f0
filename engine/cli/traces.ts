/**
 * Node side of trace workloads: finds a trace by name (in --trace files first, then in the trace
 * directory, default ../shared/data/traces next to the repo), streams it through the pure parsers in
 * chunks (stat first, regular files only, at most TRACE_MAX_BYTES). Problems (missing file, malformed
 * trace, a --trace file no workload replays) are UsageErrors with one clear line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TRACE_MAX_BYTES } from '../protocol.ts';
import { TraceFormatError, traceEncoding, traceName, traceParser, type TraceData } from '../core/trace/index.ts';
import { shortPath } from '../host/node/atomicFile.ts';
import { UsageError } from './args.ts';
import { streamRegularFile } from './files.ts';

const ENCODINGS = ['.oracleGeneral.bin', '.bin', '.csv', '.txt'];

export function defaultTraceDir(root: string): string {
  return path.resolve(root, '../shared/data/traces');
}

/**
 * Loads every trace in `names`; `files` (from --trace) take precedence over `dir`. A --trace file whose
 * name is not one the runs replay is refused (it would otherwise be silently ignored).
 */
export function loadTraces(
  names: Iterable<string>,
  files: readonly string[],
  dir: string,
  maxBytes = TRACE_MAX_BYTES,
): Map<string, TraceData> {
  const wanted = new Set(names);
  const byName = new Map<string, string>();
  for (const f of files) {
    if (!existsSync(f)) throw new UsageError(`--trace ${shortPath(f)}: no such file`);
    if (!traceEncoding(f))
      throw new UsageError(
        `--trace ${shortPath(f)}: unknown trace encoding (expected .txt, .csv, .oracleGeneral.bin or .bin)`,
      );
    const name = traceName(f);
    if (!wanted.has(name)) {
      const replayed = [...wanted].map((n) => `'${shortPath(n)}'`).join(', ');
      throw new UsageError(
        `--trace ${shortPath(f)}: no workload replays a trace named '${shortPath(name)}' (${replayed ? `the runs replay ${replayed}; name the file after it` : 'the runs replay no trace'})`,
      );
    }
    byName.set(name, f);
  }
  const out = new Map<string, TraceData>();
  for (const name of wanted) {
    if (out.has(name)) continue;
    const file = byName.get(name) ?? ENCODINGS.map((e) => path.join(dir, name + e)).find((f) => existsSync(f));
    if (!file)
      throw new UsageError(
        `trace '${shortPath(name)}' not found in ${shortPath(dir)}; pass --trace FILE or --trace-dir DIR`,
      );
    out.set(name, readTrace(file, name, maxBytes));
  }
  return out;
}

/** Streams one trace file through its parser (1 MiB chunks: memory is the ids, not the text). */
export function readTrace(file: string, name: string, maxBytes = TRACE_MAX_BYTES): TraceData {
  const shown = path.basename(shortPath(file));
  try {
    const parser = traceParser(shown, name);
    streamRegularFile(file, maxBytes, 'trace', (chunk) => parser.push(chunk));
    return parser.end();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof TraceFormatError) throw new UsageError(`bad trace: ${e.message}`);
    if (e instanceof RangeError) throw new UsageError(`trace ${shown}: its ids do not fit in memory`);
    throw e;
  }
}
