/**
 * Session and export files on disk, through an injected fs seam (tests pass a failing one).
 *
 * Reading: the size is checked (stat) before a byte is read, then decodeSession checks everything
 * else; every failure is a Result error naming the file. Writing is atomic through the helper the CLI
 * uses too (engine/host/node/atomicFile.ts): temp file in the same folder, fsync, rename; a failure at
 * any step removes the temporary file and leaves the previous file intact.
 */
import path from 'node:path';
import { decodeSession, encodeSession, SESSION_MAX_BYTES } from '../engine/session/index.ts';
import type { Result, SessionData } from '../engine/protocol.ts';
import { ioReason, writeFileAtomic, type AtomicData, type AtomicFs } from '../engine/host/node/atomicFile.ts';

export type { AtomicFileHandle as FileHandleLike } from '../engine/host/node/atomicFile.ts';

/** The subset of node:fs/promises used here. */
export interface FsLike extends AtomicFs {
  stat(p: string): Promise<{ size: number; isFile(): boolean }>;
  readFile(p: string): Promise<Uint8Array>;
}

export interface SessionFiles {
  readSession(file: string): Promise<Result<SessionData>>;
  writeSession(file: string, session: SessionData): Promise<Result<void>>;
  /** Text, or its chunks in order (a large CSV export is never one string). */
  writeText(file: string, text: string | Iterable<string>): Promise<Result<void>>;
  /** Exported bytes (PNG, SVG, CSV, preset JSON), written atomically like every file the lab writes. */
  writeBytes(file: string, data: Uint8Array): Promise<Result<void>>;
}

export function createSessionFiles(
  fs: FsLike,
  options: {
    maxBytes?: number;
    /** Where bytes are decoded (main: the parse worker); default: here, with decodeSession. */
    decode?: (bytes: Uint8Array, maxBytes: number) => Promise<Result<SessionData>>;
  } = {},
): SessionFiles {
  const maxBytes = options.maxBytes ?? SESSION_MAX_BYTES;
  const decode = options.decode ?? (async (bytes: Uint8Array, max: number) => decodeSession(bytes, { maxBytes: max }));

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
      const r = await decode(bytes, maxBytes); // checks the size again: the file may have grown
      return r.ok ? r : { ok: false, error: { ...r.error, message: `${path.basename(file)}: ${r.error.message}` } };
    } catch (e) {
      return fail('SessionReadError', `cannot read ${file}: ${ioReason(e)}`);
    }
  }

  async function writeAtomically(file: string, data: AtomicData): Promise<Result<void>> {
    try {
      await writeFileAtomic(file, data, fs);
      return { ok: true, value: undefined };
    } catch (e) {
      return fail('SessionWriteError', e instanceof Error ? e.message : String(e));
    }
  }

  return {
    readSession,
    async writeSession(file, session) {
      let bytes: Uint8Array;
      try {
        bytes = encodeSession(session);
      } catch (e) {
        return fail('SessionEncodeError', `cannot encode the session: ${ioReason(e)}`);
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
