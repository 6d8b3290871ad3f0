/**
 * Reading input files in the CLI with bounded cost: stat before a byte is read, only regular files
 * (a FIFO would block forever, /dev/zero would grow memory without bound), a size limit checked on the
 * stat and again while reading (the file may grow), and reads in fixed-size chunks through one fd.
 * Every refusal is a UsageError of one sentence naming the file.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { ioReason, shortPath } from '../host/node/atomicFile.ts';
import { UsageError } from './args.ts';

const CHUNK = 1 << 20;

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Calls `onChunk` with the file's bytes in order (each chunk valid only during the call). */
export function streamRegularFile(
  file: string,
  maxBytes: number,
  what: string,
  onChunk: (chunk: Uint8Array) => void,
): number {
  const shown = shortPath(file);
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`${what} ${shown} is not a regular file (a folder, device or pipe)`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${shown}: ${ioReason(e)}`);
  }
  const tooLarge = (n: number): UsageError =>
    new UsageError(`${what} ${shown} is too large (${mib(n)}; the limit is ${mib(maxBytes)})`);
  if (size > maxBytes) throw tooLarge(size);
  let fd: number;
  try {
    // O_NONBLOCK would matter only for a FIFO, which the stat above refused; a swap between stat and
    // open is caught by the fstat below.
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UsageError(`cannot read ${shown}: ${ioReason(e)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(`${what} ${shown} is not a regular file`);
    const buf = new Uint8Array(CHUNK);
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK, null);
      } catch (e) {
        throw new UsageError(`cannot read ${shown}: ${ioReason(e)}`);
      }
      if (n === 0) return total;
      total += n;
      if (total > maxBytes) throw tooLarge(total);
      onChunk(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** The whole file (after the same checks), for formats that decode in one piece (sessions). */
export function readRegularFile(file: string, maxBytes: number, what: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  const total = streamRegularFile(file, maxBytes, what, (c) => chunks.push(c.slice()));
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
