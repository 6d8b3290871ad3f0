/**
 * Trace parsing: CPU time and memory per request for the three encodings of cloudPhysicsIO repeated
 * TRACE_COPIES times (default 50: 5.69 M requests), as the host parses a loaded file (bytes in
 * memory, parseTrace). Memory = growth of the heap and array buffers during the parse, minus the
 * input bytes, after a GC, per request (pageIds kept alive); run with --expose-gc for exact figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTrace } from '../engine/core/trace/index.ts';
import { median } from './_util.ts';

const root = process.cwd();
const COPIES = Number(process.env.TRACE_COPIES ?? 50);
const dir = path.resolve(root, '../shared/data/traces');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function repeated(file: string): Uint8Array {
  const b = readFileSync(path.join(dir, file));
  if (file.endsWith('.bin')) {
    const out = new Uint8Array(b.length * COPIES);
    for (let i = 0; i < COPIES; i++) out.set(b, i * b.length);
    return out;
  }
  const text = b.toString('latin1');
  const nl = text.indexOf('\n');
  const [head, body] = file.endsWith('.csv') ? [text.slice(0, nl + 1), text.slice(nl + 1)] : ['', text];
  const line = body.endsWith('\n') ? body : `${body}\n`;
  return Buffer.from(head + line.repeat(COPIES), 'latin1');
}

const used = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** One parse in its own frame (so no earlier result stays reachable): CPU and bytes kept. */
function once(file: string, bytes: Uint8Array): { cpuS: number; bytes: number; requests: number } {
  gc();
  const m0 = used();
  const c0 = process.cpuUsage();
  const t = parseTrace(file, bytes);
  const c = process.cpuUsage(c0);
  gc();
  return { cpuS: (c.user + c.system) / 1e6, bytes: used() - m0, requests: t.requests };
}

for (const file of ['cloudPhysicsIO.oracleGeneral.bin', 'cloudPhysicsIO.csv', 'cloudPhysicsIO.txt']) {
  const bytes = repeated(file);
  const cpu: number[] = [];
  let perRequest = 0;
  let requests = 0;
  for (let round = 0; round < 5; round++) {
    const r = once(file, bytes);
    perRequest = r.bytes / r.requests;
    requests = r.requests;
    cpu.push(r.cpuS);
  }
  console.log(
    `${file.padEnd(34)} ×${COPIES}: ${requests} requests, parse CPU ${median(cpu).toFixed(2)} s (${(requests / median(cpu) / 1e6).toFixed(1)} M requests/s), ${perRequest.toFixed(1)} B per request kept`,
  );
}
