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

/**
 * Zero as a double that is not a small integer (-0): V8 stores a field first set to it as a double
 * from the start. A time field first set to 0 is a small-integer field until its first fractional
 * value, which changes the object's shape (the map is deprecated) and deoptimizes every function
 * compiled against it; in a replay that came at the first eviction (reqT, reqHold, grantAt), after
 * the hot loop was compiled, and cost a recompilation of the replay's largest functions. Every
 * worker isolate pays each such deopt and its recompilation again (a spread run's two workers twice).
 * Same value: -0 + x === x, -0 === 0, JSON and toFixed print 0. A field that must start from a
 * constructor argument that may be 0 (a start time) is declared `= DOUBLE_ZERO` first and then
 * assigned: a small integer stored into a double field keeps the field double.
 */
export const DOUBLE_ZERO = -0;
