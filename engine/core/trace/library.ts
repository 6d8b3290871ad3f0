/**
 * The traces a host holds for the UI (LabApi.loadTrace): parsed once, kept by name, handed to runs.
 * Pure, so Electron main and the browser edition share it. The page ids stay in the host: the renderer
 * only ever sees a LoadedTrace (name, requests, distinct).
 *
 * Contract: load() never throws; a malformed, empty, oversized or unnamed file is a Result error whose
 * message names the file and the problem (line or record from the parsers). Loading a name again
 * replaces the earlier trace; at most MAX_TRACES are kept (the oldest loaded goes first).
 */
import { TRACE_MAX_BYTES, type LoadedTrace, type Result, type ScenarioConfig } from '../../protocol.ts';
import { guestPath } from '../config/fields.ts';
import { problemsError } from '../config/problems.ts';
import { validateScenario } from '../config/scenario.ts';
import { parseTrace, traceEncoding, traceName } from './parse.ts';
import { TraceFormatError, type TraceData } from './types.ts';
import { inSharedMemory } from './sharedIds.ts';
import { traceSource } from './sources.ts';

export const MAX_TRACES = 16;

function fail<T>(name: string, message: string): Result<T> {
  return { ok: false, error: { name, message } };
}

/**
 * A parser's failure as a Result naming the file: a TraceFormatError's own message, or (RangeError)
 * the machine running out of memory for the ids. Anything else is a bug and is rethrown.
 */
export function traceFailure<T>(e: unknown, file: string): Result<T> {
  if (e instanceof TraceFormatError)
    return fail(e.name, e.message.startsWith(`${file}:`) ? e.message : `${file}: ${e.message}`);
  if (e instanceof RangeError)
    return fail('TraceTooLarge', `${file}: the trace's ids do not fit in memory (${e.message.slice(0, 80)})`);
  throw e;
}

export class TraceLibrary {
  private readonly traces = new Map<string, TraceData>();

  constructor(private readonly maxBytes = TRACE_MAX_BYTES) {}

  /**
   * Everything that can be refused before parsing: size, encoding, name. Gives the file's base name and
   * the trace name to parse under (a host may parse elsewhere, e.g. on a worker, then call add()).
   */
  check(byteLength: number, fileName: string): Result<{ file: string; name: string }> {
    const file = (fileName.split(/[/\\]/).pop() ?? fileName)
      // eslint-disable-next-line no-control-regex -- a file name reaches messages: no control characters
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    if (file.length > 200) return fail('TraceFormatError', `the trace file name is longer than 200 characters`);
    if (byteLength > this.maxBytes)
      return fail(
        'TraceTooLarge',
        `${file}: trace file too large (${byteLength} bytes, the limit is ${this.maxBytes})`,
      );
    if (!traceEncoding(file))
      return fail(
        'TraceFormatError',
        `${file}: unknown trace encoding (expected .txt, .csv, .oracleGeneral.bin or .bin)`,
      );
    const name = traceName(file);
    if (name.trim() === '') return fail('TraceFormatError', `${file}: the file name gives no trace name`);
    return { ok: true, value: { file, name } };
  }

  load(bytes: Uint8Array, fileName: string): Result<LoadedTrace> {
    const checked = this.check(bytes.byteLength, fileName);
    if (!checked.ok) return checked;
    const { file, name } = checked.value;
    let data: TraceData;
    try {
      data = parseTrace(file, bytes, name);
    } catch (e) {
      return traceFailure(e, file);
    }
    return { ok: true, value: this.add(data) };
  }

  /** Keeps a parsed trace under its name (replacing an earlier one); at most MAX_TRACES are kept. */
  add(data: TraceData): LoadedTrace {
    const { name } = data;
    this.traces.delete(name); // re-insert: Map order is load order
    // Held in shared memory once, so that each run shares it instead of copying it (sharedIds.ts).
    this.traces.set(name, { ...data, pageIds: inSharedMemory(data.pageIds) });
    while (this.traces.size > MAX_TRACES) this.traces.delete(this.traces.keys().next().value!);
    return { name, requests: data.requests, distinct: data.distinct };
  }

  get loaded(): LoadedTrace[] {
    return [...this.traces.values()].map(({ name, requests, distinct }) => ({ name, requests, distinct }));
  }

  /** What validation needs (name -> distinct pages), for validateScenario's `traces` option. */
  info(): Record<string, { distinct: number }> {
    const out: Record<string, { distinct: number }> = {};
    for (const [name, t] of this.traces) out[name] = { distinct: t.distinct };
    return out;
  }

  /**
   * Validates `x` as a run on this host: the config itself, then every trace workload against the loaded
   * traces (a trace not loaded is a clear error saying how to load it; a trace larger than its guest too).
   */
  validateRun(x: unknown): Result<ScenarioConfig> {
    const r = validateScenario(x);
    if (!r.ok) return r;
    const missing = r.value.guests
      .map((g, i) => ({ g, i }))
      .filter(({ g }) => g.workload.kind === 'trace' && !this.traces.has(g.workload.trace));
    if (missing.length > 0) {
      const known = [...this.traces.keys()].map((n) => `'${n}'`).join(', ') || 'none';
      const problems = missing.map(({ g, i }) => {
        const trace = g.workload.kind === 'trace' ? g.workload.trace : '';
        const where = traceSource(trace);
        return {
          path: `${guestPath('guests', i, g)}.workload.trace`,
          message: where
            ? `replays trace '${trace}', which is not loaded: load ${trace}.txt (from ${where}) with “Load trace…” in the guest's workload (loaded: ${known})`
            : `replays trace '${trace}', which is not loaded: load ${trace}.txt (or .csv, .oracleGeneral.bin) with “Load trace…” in the guest's workload (loaded: ${known})`,
        };
      });
      return { ok: false, error: problemsError(problems, 'scenario') };
    }
    return validateScenario(r.value, { traces: this.info() });
  }

  /** Page ids of the traces `config`'s trace workloads name (those loaded), for startRun's `traces`. */
  pageIdsFor(config: ScenarioConfig): Record<string, Uint32Array> {
    const out: Record<string, Uint32Array> = {};
    for (const g of config.guests) {
      if (g.workload.kind !== 'trace') continue;
      const t = this.traces.get(g.workload.trace);
      if (t) out[t.name] = t.pageIds;
    }
    return out;
  }
}
