/**
 * Reference cache models for the trace oracle (slow, obviously correct; the simulator must agree
 * with them miss for miss). Used by test/sim/oracle.test.ts and the sweep tests (test/sweep).
 */

/** Reference CLOCK (README semantics): new object bit 0; hit sets 1; hand at the oldest: 1 → clear, move to head; 0 → evict. */
export function referenceClock(trace: Uint32Array, capacity: number): number {
  const bit = new Uint8Array(trace.length + 1);
  const resident = new Uint8Array(trace.length + 1);
  // FIFO queue of resident ids as a ring buffer: head = newest end.
  const ring = new Int32Array(capacity + 1);
  let head = 0;
  let tail = 0;
  let size = 0;
  let miss = 0;
  const push = (id: number): void => {
    ring[head] = id;
    head = (head + 1) % ring.length;
    size++;
  };
  const pop = (): number => {
    const id = ring[tail];
    tail = (tail + 1) % ring.length;
    size--;
    return id;
  };
  for (const id of trace) {
    if (resident[id]) {
      bit[id] = 1;
      continue;
    }
    miss++;
    while (size >= capacity) {
      const v = pop();
      if (bit[v]) {
        bit[v] = 0;
        push(v);
      } else resident[v] = 0;
    }
    resident[id] = 1;
    bit[id] = 0;
    push(id);
  }
  return miss;
}
