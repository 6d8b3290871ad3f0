/**
 * Tiny reference caches over dense page ids (one unit per object, cache starts empty, cold misses
 * count): exact LRU and FIFO, as in the trace README's reference table. Independent of the simulator,
 * so a match validates the parsers alone.
 */
export function lruMisses(ids: Uint32Array, capacity: number): number {
  // A Map iterates in insertion order: delete + set moves a key to the most-recent end.
  const cache = new Map<number, true>();
  let misses = 0;
  for (const id of ids) {
    if (cache.delete(id)) {
      cache.set(id, true);
      continue;
    }
    misses++;
    if (cache.size >= capacity) cache.delete(cache.keys().next().value as number);
    cache.set(id, true);
  }
  return misses;
}

export function fifoMisses(ids: Uint32Array, capacity: number): number {
  const cache = new Set<number>();
  let misses = 0;
  for (const id of ids) {
    if (cache.has(id)) continue;
    misses++;
    if (cache.size >= capacity) cache.delete(cache.values().next().value as number);
    cache.add(id);
  }
  return misses;
}
