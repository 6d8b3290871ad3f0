/**
 * Where a user gets the traces the shipped presets replay. The CLI reads them itself from
 * ../shared/data/traces next to the repository (engine/cli/traces.ts); a user of the app (Electron or
 * browser edition) loads the file by hand and must be told where it is. cloudPhysicsIO.txt in
 * libCacheSim's data/ folder is byte-identical to ../shared/data/traces/cloudPhysicsIO.txt (1,007,325
 * bytes, 113,872 ids; libCacheSim commit 6c91ca8). The renderer keeps its own copy of this text
 * (renderer/src/lib/help.ts, TRACE_SOURCES: it imports no engine values); test/renderer/traceHint.test.ts
 * checks the two agree.
 */
export const TRACE_SOURCES: Readonly<Record<string, string>> = {
  cloudPhysicsIO: 'github.com/1a1a11a/libCacheSim, folder data/; or ../shared/data/traces',
};

/** Where to get trace `name`, or undefined for a trace no preset names. */
export function traceSource(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(TRACE_SOURCES, name) ? TRACE_SOURCES[name] : undefined;
}
