/**
 * Session files for the CLI: `--out` writes the runs as one SessionData (engine/session's codec) through
 * the shared atomic writer (temp file in the same folder, fsync, rename), and `show` / `compare` read
 * them back (stat first, regular files only, at most SESSION_MAX_BYTES). A file that fails to decode is
 * a UsageError with the codec's message.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { decodeSession, encodeSession, SESSION_MAX_BYTES } from '../session/index.ts';
import { SESSION_FORMAT, SESSION_VERSION, type RunResult, type ScenarioConfig, type SessionData } from '../protocol.ts';
import { shortPath, writeFileAtomic } from '../host/node/atomicFile.ts';
import { UsageError, oneLine } from './args.ts';
import { readRegularFile } from './files.ts';

export function makeSession(runs: RunResult[], draft: ScenarioConfig, appVersion: string): SessionData {
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    appVersion,
    savedAt: new Date().toISOString(),
    draft,
    runs,
    ui: {
      view: runs.length > 1 ? 'compare' : 'run',
      selectedRun: 0,
      compareRuns: runs.length > 1 ? runs.map((_, i) => i) : [],
      // None chosen: the app opens it with its default charts (every one), as after a run in the app
      // (['hitRate'] showed a CLI session with one chart and six unticked).
      chartMetric: [],
    },
  };
}

/** Encodes and writes atomically; rejects with one sentence (the previous file is then unchanged). */
export async function writeSessionFile(file: string, session: SessionData): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeSession(session);
  } catch (e) {
    throw new UsageError(`cannot encode the session for ${shortPath(file)}: ${oneLine((e as Error).message)}`);
  }
  await writeFileAtomic(file, bytes);
}

/**
 * Where an interrupted run's partial session goes when `out` already holds a file: next to it, as
 * `<name>.partial.msgpack` (or `.partial-2`, `-3`, ... when taken), so the earlier file is never replaced
 * by a partial one without asking.
 */
export function partialPath(out: string): string {
  const ext = path.extname(out);
  const stem = out.slice(0, out.length - ext.length);
  for (let i = 1; ; i++) {
    const candidate = `${stem}.partial${i === 1 ? '' : `-${i}`}${ext || '.msgpack'}`;
    if (!existsSync(candidate)) return candidate;
  }
}

export function readSessionFile(file: string): SessionData {
  const bytes = readRegularFile(file, SESSION_MAX_BYTES, 'session');
  const r = decodeSession(bytes);
  if (!r.ok) throw new UsageError(`${shortPath(file)}: ${oneLine(r.error.message)}`);
  return r.value;
}
