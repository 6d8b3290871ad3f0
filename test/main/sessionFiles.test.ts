// Session file I/O: size cap, atomic write, failures never clobber, corrupt file -> clear error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSessionFiles, type FsLike } from '../../main/sessionFiles.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { makeRunResult, makeSession } from '../session/fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lab-files-'));
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

/** Real fs with one operation made to fail. */
function failing(op: 'writeFile' | 'sync' | 'rename' | 'open'): FsLike {
  return {
    stat: (p) => fsp.stat(p),
    readFile: (p) => fsp.readFile(p),
    unlink: (p) => fsp.unlink(p),
    rename:
      op === 'rename'
        ? async () => Promise.reject(Object.assign(new Error('EXDEV'), { code: 'ENOSPC' }))
        : (a, b) => fsp.rename(a, b),
    open: async (p, flags) => {
      if (op === 'open') throw Object.assign(new Error('denied'), { code: 'EACCES' });
      const h = await fsp.open(p, flags);
      return {
        writeFile: async (d) => {
          if (op === 'writeFile') {
            await h.writeFile(typeof d === 'string' ? d.slice(0, 3) : d.subarray(0, 3)); // a partial write, then failure
            throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
          }
          await h.writeFile(d);
        },
        sync: async () => {
          if (op === 'sync') throw Object.assign(new Error('io'), { code: 'EIO' });
          await h.sync();
        },
        close: () => h.close(),
      };
    },
  };
}

const listDir = async () => (await fsp.readdir(dir)).sort();

describe('session files', () => {
  it('writes atomically and reads back the same session', async () => {
    const files = createSessionFiles(fsp);
    const file = path.join(dir, 'a.msgpack');
    const s = makeSession();
    expect(await files.writeSession(file, s)).toEqual({ ok: true, value: undefined });
    expect(await listDir()).toEqual(['a.msgpack']); // no temporary file left behind
    const r = await files.readSession(file);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toEqual(s);
  });

  for (const op of ['open', 'writeFile', 'sync', 'rename'] as const) {
    it(`a failure in ${op} leaves the previous file intact and no temporary file`, async () => {
      const file = path.join(dir, 'a.msgpack');
      const before = encodeSession(makeSession([makeRunResult(5)]));
      await fsp.writeFile(file, before);
      const r = await createSessionFiles(failing(op)).writeSession(file, makeSession([makeRunResult(80)]));
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.error.message).toMatch(
          /^cannot write .*a\.msgpack: (permission denied|the disk is full|io); the previous file is unchanged$/,
        );
      expect(new Uint8Array(await fsp.readFile(file))).toEqual(before);
      expect(await listDir()).toEqual(['a.msgpack']);
    });
  }

  it('refuses a file over the size cap before reading it', async () => {
    const file = path.join(dir, 'big.msgpack');
    const bytes = encodeSession(makeSession());
    await fsp.writeFile(file, bytes);
    let reads = 0;
    const fs: FsLike = { ...failing('open'), readFile: async (p) => (reads++, fsp.readFile(p)) };
    const r = await createSessionFiles(fs, { maxBytes: bytes.length - 1 }).readSession(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/big\.msgpack: session file too large/);
    expect(reads).toBe(0);
    expect((await createSessionFiles(fs, { maxBytes: bytes.length }).readSession(file)).ok).toBe(true);
  });

  it('refuses to write a session over the size cap', async () => {
    const r = await createSessionFiles(fsp, { maxBytes: 100 }).writeSession(path.join(dir, 'x.msgpack'), makeSession());
    expect(r.ok).toBe(false);
    expect(await listDir()).toEqual([]);
  });

  it('reports a corrupt file clearly and leaves it (and any other file) untouched', async () => {
    const good = path.join(dir, 'good.msgpack');
    const bad = path.join(dir, 'bad.msgpack');
    const goodBytes = encodeSession(makeSession());
    await fsp.writeFile(good, goodBytes);
    const badBytes = goodBytes.slice(0, goodBytes.length - 100);
    await fsp.writeFile(bad, badBytes);
    const files = createSessionFiles(fsp);
    const r = await files.readSession(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.name).toBe('SessionCorrupt');
      expect(r.error.message).toMatch(/^bad\.msgpack: corrupt or truncated session file/);
    }
    expect(new Uint8Array(await fsp.readFile(bad))).toEqual(badBytes);
    expect(decodeSession(new Uint8Array(await fsp.readFile(good))).ok).toBe(true);
  });

  it('names missing files and folders in plain words', async () => {
    const files = createSessionFiles(fsp);
    const missing = await files.readSession(path.join(dir, 'none.msgpack'));
    expect(!missing.ok && missing.error.message).toMatch(/cannot read .*none\.msgpack: no such file or folder/);
    const folder = await files.readSession(dir);
    expect(!folder.ok && folder.error.message).toMatch(/is not a file/);
  });

  it('writes text (CSV) atomically too', async () => {
    const file = path.join(dir, 'a.csv');
    await fsp.writeFile(file, 'old');
    expect((await createSessionFiles(failing('rename')).writeText(file, 'new')).ok).toBe(false);
    expect(await fsp.readFile(file, 'utf8')).toBe('old');
    expect((await createSessionFiles(fsp).writeText(file, 'new')).ok).toBe(true);
    expect(await fsp.readFile(file, 'utf8')).toBe('new');
  });
});
