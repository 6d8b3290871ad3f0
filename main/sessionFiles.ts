/**
 * Session and export files on disk, through an injected fs seam (tests pass a failing one).
 *
 * Reading: the size is checked (stat) before a byte is read, then decodeSession checks everything
 * else; every failure is a Result error naming the file. Writing is atomic: the bytes go to a fresh
 * temporary file in the same directory (created exclusively), are flushed to disk, then renamed over
 * the target. A failure at any step removes the temporary file and leaves the previous file intact.
 */
import path from 'node:path';
import { decodeSession, encodeSession, SESSION_MAX_BYTES } from '../engine/session/index.ts';
import type { Result, SessionData } from '../engine/protocol.ts';

export interface FileHandleLike {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The subset of node:fs/promises used here. */
export interface FsLike {
  stat(p: string): Promise<{ size: number; isFile(): boolean }>;
  readFile(p: string): Promise<Uint8Array>;
  open(p: string, flags: 'wx'): Promise<FileHandleLike>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
}

export interface SessionFiles {
  readSession(file: string): Promise<Result<SessionData>>;
  writeSession(file: string, session: SessionData): Promise<Result<void>>;
  writeText(file: string, text: string): Promise<Result<void>>;
  /** Exported bytes (PNG, SVG, CSV, preset JSON), written atomically like every file the lab writes. */
  writeBytes(file: string, data: Uint8Array): Promise<Result<void>>;
}

export function createSessionFiles(fs: FsLike, options: { maxBytes?: number } = {}): SessionFiles {
  const maxBytes = options.maxBytes ?? SESSION_MAX_BYTES;

  async function readSession(file: string): Promise<Result<SessionData>> {
    try {
      const st = await fs.stat(file);
      if (!st.isFile()) return fail('SessionNotAFile', `${path.basename(file)} is not a file`);
      if (st.size > maxBytes) {
        return fail(
          'SessionTooLarge',
          `${path.basename(file)}: session file too large (${st.size} bytes, the limit is ${maxBytes})`,
        );
      }
      const bytes = await fs.readFile(file);
      const r = decodeSession(bytes, { maxBytes }); // checks the size again: the file may have grown
      return r.ok ? r : { ok: false, error: { ...r.error, message: `${path.basename(file)}: ${r.error.message}` } };
    } catch (e) {
      return fail('SessionReadError', `cannot read ${file}: ${ioMessage(e)}`);
    }
  }

  async function writeAtomically(file: string, data: Uint8Array | string): Promise<Result<void>> {
    const tmp = path.join(
      path.dirname(file),
      `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`,
    );
    let created = false;
    try {
      const handle = await fs.open(tmp, 'wx');
      created = true;
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
      return { ok: true, value: undefined };
    } catch (e) {
      if (created) await fs.unlink(tmp).catch(() => {}); // best effort: the target was never touched
      return fail('SessionWriteError', `cannot write ${file}: ${ioMessage(e)}`);
    }
  }

  return {
    readSession,
    async writeSession(file, session) {
      let bytes: Uint8Array;
      try {
        bytes = encodeSession(session);
      } catch (e) {
        return fail('SessionEncodeError', `cannot encode the session: ${ioMessage(e)}`);
      }
      if (bytes.byteLength > maxBytes)
        return fail('SessionTooLarge', `the session is ${bytes.byteLength} bytes, above the ${maxBytes}-byte limit`);
      return writeAtomically(file, bytes);
    },
    writeText: (file, text) => writeAtomically(file, text),
    writeBytes: (file, data) => writeAtomically(file, data),
  };
}

function fail<T>(name: string, message: string): Result<T> {
  return { ok: false, error: { name, message } };
}

/** A one-line reason for an I/O error: the errno code explained, never a stack. */
function ioMessage(e: unknown): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'the disk is read-only';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
