/**
 * Session files for the CLI: `--out` writes the runs as one SessionData (engine/session's codec), and
 * `show` / `compare` read them back. A file that fails to decode is a UsageError with the codec's message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { decodeSession, encodeSession } from '../session/index.ts';
import { SESSION_FORMAT, SESSION_VERSION, type RunResult, type ScenarioConfig, type SessionData } from '../protocol.ts';
import { UsageError, oneLine } from './args.ts';

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
      chartMetric: ['hitRate'],
    },
  };
}

export function writeSessionFile(file: string, session: SessionData): void {
  try {
    writeFileSync(file, encodeSession(session));
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

export function readSessionFile(file: string): SessionData {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const r = decodeSession(bytes);
  if (!r.ok) throw new UsageError(`${file}: ${oneLine(r.error.message)}`);
  return r.value;
}
