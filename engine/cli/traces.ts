/**
 * Node side of trace workloads: finds a trace by name (in --trace files first, then in the trace
 * directory, default ../shared/data/traces next to the repo), reads it and parses it with the pure
 * parsers. Problems (missing file, malformed trace) are UsageErrors with one clear line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrace, traceName, type TraceData } from '../core/trace/index.ts';
import { UsageError } from './args.ts';

const ENCODINGS = ['.oracleGeneral.bin', '.bin', '.csv', '.txt'];

export function defaultTraceDir(root: string): string {
  return path.resolve(root, '../shared/data/traces');
}

/** Loads every trace in `names`; `files` (from --trace) take precedence over `dir`. */
export function loadTraces(names: Iterable<string>, files: readonly string[], dir: string): Map<string, TraceData> {
  const byName = new Map<string, string>();
  for (const f of files) {
    if (!existsSync(f)) throw new UsageError(`--trace ${f}: no such file`);
    byName.set(traceName(f), f);
  }
  const out = new Map<string, TraceData>();
  for (const name of names) {
    if (out.has(name)) continue;
    const file = byName.get(name) ?? ENCODINGS.map((e) => path.join(dir, name + e)).find((f) => existsSync(f));
    if (!file)
      throw new UsageError(
        `trace '${name}' not found in ${dir} (looked for ${ENCODINGS.map((e) => name + e).join(', ')}); pass --trace FILE or --trace-dir DIR`,
      );
    try {
      out.set(name, parseTrace(file, new Uint8Array(readFileSync(file)), name));
    } catch (e) {
      throw new UsageError(`bad trace: ${(e as Error).message}`);
    }
  }
  return out;
}
