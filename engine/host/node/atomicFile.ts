/**
 * The one way the lab writes a file (CLI `--out`, Electron Save / Export CSV): the bytes go to a fresh
 * temporary file in the target's folder (created exclusively), are fsynced, then renamed over the
 * target. A failure at any step (full disk, `ulimit -f`, a folder that vanished) removes the temporary
 * file and leaves the previous target byte for byte as it was; the error says why in one sentence.
 *
 * `checkWritableTarget` is the up-front check callers run before a long computation (the CLI runs it
 * before the first simulation starts), so a bad output path is refused before any result exists.
 */
import { accessSync, constants, promises as fsp, statSync } from 'node:fs';
import path from 'node:path';

export interface AtomicFileHandle {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The subset of node:fs/promises the writer needs (tests inject a failing one). */
export interface AtomicFs {
  open(p: string, flags: 'wx'): Promise<AtomicFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
}

/** What a write takes: one buffer or string, or chunks written in order (streamed exports). */
export type AtomicData = Uint8Array | string | Iterable<Uint8Array | string>;

export class AtomicWriteError extends Error {
  override readonly name = 'AtomicWriteError';
}

/** The temporary file's name: hidden, unique, next to the target (same file system, so rename is atomic). */
export function tempPathFor(file: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(file), `.${path.basename(file).slice(0, 100)}.${process.pid}.${rand}.tmp`);
}

/**
 * Writes `data` to `file` atomically. Rejects with an AtomicWriteError whose message is one sentence
 * naming the file and the reason; the previous `file` (if any) is then untouched.
 */
export async function writeFileAtomic(file: string, data: AtomicData, fs: AtomicFs = fsp): Promise<void> {
  const tmp = tempPathFor(file);
  let created = false;
  try {
    const handle = await fs.open(tmp, 'wx');
    created = true;
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      // FileHandle.writeFile writes from the current position: consecutive calls append.
      else for (const chunk of data) await handle.writeFile(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    if (created) await fs.unlink(tmp).catch(() => {}); // best effort: the target was never touched
    throw new AtomicWriteError(`cannot write ${shortPath(file)}: ${ioReason(e)}; the previous file is unchanged`);
  }
}

/**
 * Checks, before any work, that `file` can be written atomically: its folder exists, is a folder and
 * is writable, and the target (if present) is a regular file. Returns the refusal sentence, or null.
 */
export function checkWritableTarget(file: string): string | null {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!statSync(dir).isDirectory()) return `cannot write ${shortPath(file)}: ${shortPath(dir)} is not a folder`;
    accessSync(dir, constants.W_OK);
  } catch (e) {
    return `cannot write ${shortPath(file)}: ${ioReason(e, 'the folder')}`;
  }
  try {
    const st = statSync(file);
    if (!st.isFile()) return `cannot write ${shortPath(file)}: it exists and is not a regular file`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `cannot write ${shortPath(file)}: ${ioReason(e)}`;
  }
  return null;
}

/** A path for a message: at most 120 characters, control characters escaped. */
export function shortPath(p: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  const safe = p.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > 120 ? `…${safe.slice(-119)}` : safe;
}

/** A one-line reason for an I/O error: the errno explained, never a stack. */
export function ioReason(e: unknown, what = 'the file'): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT':
      return `${what === 'the file' ? 'no such file or folder' : `${what} does not exist`}`;
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EFBIG':
      return 'the file size limit was reached (disk quota or ulimit -f)';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'the disk is read-only';
    default: {
      const m = e instanceof Error ? e.message : String(e);
      return m.length > 120 ? `${m.slice(0, 119)}…` : m;
    }
  }
}
