/**
 * Page-id arrays in shared memory. A run's workers read its traces from SharedArrayBuffers
 * (simLayout.ts createSimBuffers). A trace already held in one, whole, is lent to the run as it is;
 * any other is copied. The copy is not free: 4 bytes per request written to fresh memory, ~65 ms of
 * CPU for the 5.69 M requests of cloudPhysicsIO ×50 on the 2-core test machine (first touch of
 * 22.8 MB; measured with process.cpuUsage around `new Uint32Array(new SharedArrayBuffer(n)).set(t)`),
 * against ~1 s for the whole replay. So a holder that keeps a trace for several runs (TraceLibrary,
 * the replay bench) keeps it in shared memory once (inSharedMemory) and every run shares it.
 *
 * Contract: page ids are never written after parsing; a shared trace must not be changed while a run
 * that was given it lasts (the run reads it in place).
 */

/** Whether `t` is a whole SharedArrayBuffer (a run may use its buffer as it is). */
export function isWholeShared(t: Uint32Array): boolean {
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    t.buffer instanceof SharedArrayBuffer &&
    t.byteLength === t.buffer.byteLength // so byteOffset is 0
  );
}

/**
 * `t` itself when it is a whole SharedArrayBuffer, else a copy in a new one; `t` unchanged where the
 * runtime has no SharedArrayBuffer (a page without cross-origin isolation: runs cannot start there).
 */
export function inSharedMemory(t: Uint32Array): Uint32Array {
  if (typeof SharedArrayBuffer === 'undefined' || isWholeShared(t)) return t;
  const s = new Uint32Array(new SharedArrayBuffer(t.byteLength));
  s.set(t);
  return s;
}

/** The SharedArrayBuffer a run reads `t` from: t's own when whole and shared (no copy), else a copy. */
export function sharedBufferOf(t: Uint32Array): SharedArrayBuffer {
  if (isWholeShared(t)) return t.buffer as SharedArrayBuffer;
  const sab = new SharedArrayBuffer(t.byteLength);
  new Uint32Array(sab).set(t);
  return sab;
}
