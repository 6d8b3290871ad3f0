/**
 * Session files for the CLI: `--out` writes the runs as one SessionData (engine/session's codec) through
 * the shared atomic writer (temp file in the same folder, fsync, rename), never over an existing file
 * unless `--force` says so (`checkOutTarget`, `saveOut`), and `show` / `compare` read
 * them back (stat first, regular files only, at most SESSION_MAX_BYTES). A file that fails to decode is
 * a UsageError with the codec's message.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { decodeSession, encodeSession, SESSION_MAX_BYTES } from '../session/index.ts';
import { SESSION_FORMAT, SESSION_VERSION, type RunResult, type ScenarioConfig, type SessionData } from '../protocol.ts';
import { AtomicTargetExistsError, checkWritableTarget, shortPath, writeFileAtomic } from '../host/node/atomicFile.ts';
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
export async function writeSessionFile(
  file: string,
  session: SessionData,
  options: { replace?: boolean } = {},
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = encodeSession(session);
  } catch (e) {
    throw new UsageError(`cannot encode the session for ${shortPath(file)}: ${oneLine((e as Error).message)}`);
  }
  await writeFileAtomic(file, bytes, undefined, options);
}

/**
 * `--out`, checked before the first run (run and sweep): a folder that cannot take the file, or a file
 * already there without `--force`. A user who reused a name lost the older runs without a word (s17-g):
 * `cp`, `curl -o` and compilers replace silently, but the file here holds results that took minutes and
 * whose seeds and setup may not be at hand, so the lab asks, as `git` or `tar --keep-old-files` do.
 */
export function checkOutTarget(out: string, force: boolean): void {
  const refusal = checkWritableTarget(out);
  if (refusal) throw new UsageError(`--out: ${refusal}`);
  if (!force && existsSync(out))
    throw new UsageError(`--out: ${shortPath(out)} already exists; add --force to replace it, or choose another name`);
}

/**
 * Saves the session `--out` names; returns where it went. A complete session replaces `out` only with
 * `force`; a partial one (interrupted, or a run failed) never replaces an existing file (it goes to
 * `<name>.partial.msgpack`); a name taken meanwhile (another process made the file during the run) is
 * never replaced either: the session goes to the next free `<name>-2.msgpack`, `-3`, ... Rejects with one
 * sentence (AtomicWriteError, UsageError) when the write fails.
 */
export async function saveOut(
  out: string,
  session: SessionData,
  { partial, force }: { partial: boolean; force: boolean },
): Promise<string> {
  if (force && !partial) {
    await writeSessionFile(out, session);
    return out;
  }
  let target = partial && existsSync(out) ? partialPath(out) : out;
  for (let i = 2; ; i++) {
    try {
      await writeSessionFile(target, session, { replace: false });
      return target;
    } catch (e) {
      if (!(e instanceof AtomicTargetExistsError) || i > 100) throw e;
      target = partial ? partialPath(out) : numberedPath(out, i);
    }
  }
}

/** `<name>-<n>.msgpack` next to `out`, or the next free number after it. */
function numberedPath(out: string, n: number): string {
  const ext = path.extname(out);
  const stem = out.slice(0, out.length - ext.length);
  for (let i = n; ; i++) {
    const candidate = `${stem}-${i}${ext || '.msgpack'}`;
    if (!existsSync(candidate)) return candidate;
  }
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
