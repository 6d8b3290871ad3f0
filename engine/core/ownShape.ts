/**
 * Per-run objects of the simulation built on a class's map instead of an object literal's.
 *
 * Why (V8 11.3, Node 20; measured with `node --trace-generalization --trace-deopt`): the second time
 * an object literal runs, V8 makes its boilerplate and generalises the literal map's field types
 * (Class(map) -> Any, reason "uninitialized field"), which deoptimises every compiled function that
 * relied on them. A kept simulation worker (engine/host/workerPool.ts) builds each run's views anew,
 * so its second run threw away the TurboFan code of the whole hot path (mapLeafAt, unmapLeafAt,
 * translateCached, tableLiveAdd, stopRequested, ...: 8-11 functions) and compiled it again. Objects
 * made by a class constructor (or copied onto a class instance) never go through a boilerplate.
 * Nothing here changes a value: only the object's hidden class.
 */

/**
 * `fields` copied onto a new instance of `shape` (an empty class, one per call site, so each site
 * keeps its own map). V8 keeps about 8 properties in-object for an empty class: sites with more,
 * read on a hot path, use a class with explicit fields instead (layout.ts ArenaViewsObject).
 */
export function ownShape<T extends object>(shape: new () => object, fields: T): T {
  return Object.assign(new shape(), fields);
}
