/**
 * The one way the lab writes a file (CLI `--out`, Electron Save / Export CSV): the bytes go to a fresh
 * temporary file in the target's folder (created exclusively), are fsynced, then renamed over the
 * target. A failure at any step (full disk, `ulimit -f`, a folder that vanished) removes the temporary
 * file and leaves the previous target byte for byte as it was; the error says why in one sentence.
 *
 * `checkWritableTarget` is the up-front check callers run before a long computation (the CLI runs it
 * before the first simulation starts), so a bad output path is refused before any result exists.
 *
 * `{ replace: false }` (the CLI's `--out` without `--force`): the temporary file is linked to the target
 * instead of renamed over it, and link(2) fails with EEXIST when the target exists, so a file that appeared
 * since the up-front check (another `lab run --out` of the same name) is never replaced: the write rejects
 * with an AtomicTargetExistsError. Where the file system has no hard links (FAT, some network mounts), the
 * target is checked just before the rename instead (a window of one syscall).
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
  /** For `{ replace: false }`: link(2), which fails with EEXIST when `to` exists. */
  link?(from: string, to: string): Promise<void>;
  /** For `{ replace: false }` where link is unsupported: does `p` exist (lstat)? */
  lstat?(p: string): Promise<unknown>;
}

/** What a write takes: one buffer or string, or chunks written in order (streamed exports). */
export type AtomicData = Uint8Array | string | Iterable<Uint8Array | string>;

export class AtomicWriteError extends Error {
  override readonly name: string = 'AtomicWriteError';
}

/** `{ replace: false }` found the target present: nothing was written, the existing file is untouched. */
export class AtomicTargetExistsError extends AtomicWriteError {
  override readonly name = 'AtomicTargetExistsError';
}

/** link(2) errors that mean "this file system has no hard links", not "the target exists". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

/** The temporary file's name: hidden, unique, next to the target (same file system, so rename is atomic). */
export function tempPathFor(file: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(file), `.${path.basename(file).slice(0, 100)}.${process.pid}.${rand}.tmp`);
}

/**
 * Writes `data` to `file` atomically. Rejects with an AtomicWriteError whose message is one sentence
 * naming the file and the reason; the previous `file` (if any) is then untouched.
 */
export async function writeFileAtomic(
  file: string,
  data: AtomicData,
  fs: AtomicFs = fsp,
  options: { replace?: boolean } = {},
): Promise<void> {
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
    if (options.replace === false) await commitWithoutReplacing(fs, tmp, file);
    else await fs.rename(tmp, file);
  } catch (e) {
    if (created) await fs.unlink(tmp).catch(() => {}); // best effort: the target was never touched
    if (e instanceof AtomicTargetExistsError) throw e;
    throw new AtomicWriteError(`cannot write ${shortPath(file)}: ${ioReason(e)}; the previous file is unchanged`);
  }
}

/** Gives `tmp` the name `file` only if no file has it; AtomicTargetExistsError otherwise. */
async function commitWithoutReplacing(fs: AtomicFs, tmp: string, file: string): Promise<void> {
  const exists = (): AtomicTargetExistsError =>
    new AtomicTargetExistsError(`${shortPath(file)} already exists; it was left unchanged`);
  try {
    if (!fs.link || !fs.lstat) throw Object.assign(new Error('no link'), { code: 'ENOSYS' });
    await fs.link(tmp, file);
    await fs.unlink(tmp).catch(() => {}); // the data is safe under its name; a leftover temp is only clutter
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw exists();
    if (!NO_HARD_LINKS.has(code ?? '')) throw e;
  }
  const present = fs.lstat
    ? await fs.lstat(file).then(
        () => true,
        (e: NodeJS.ErrnoException) => e.code !== 'ENOENT',
      )
    : false;
  if (present) throw exists();
  await fs.rename(tmp, file);
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
