/**
 * The trace replay's hot-path constants are inlined by the worker bundle (scripts/workers.mjs, esbuild
 * minifySyntax). esbuild inlines an imported `const` only from a module that imports nothing, and a
 * module's own top-level `const` becomes a `var` of the bundle; such a var is a load from the module
 * context, a Smi check and an untag at every use in TurboFan's code (session 14, callgrind of the
 * replay). The constants below live in import-free modules (sim/faultConsts.ts, sim/layout/control.ts,
 * kvm/faultinFast.ts, mm/reclaimConsts.ts, mm/policy/mglruConsts.ts, layout.ts); an import added to one of them, or
 * a constant declared again in a module that imports, makes it a top-level binding of the bundle, which
 * this test finds.
 *
 * Negative control (run by hand, session 14): with `import { PAGE } from '../kvm/userMemAbort.ts';`
 * added to mm/reclaimConsts.ts, the test failed naming PMD_PAGES, MIN_LRU_BATCH, RMAP_WALK_NS,
 * KSWAPD_SCAN_PER_STEP and DIRECT_SCAN_PER_STEP.
 */
import { build } from 'esbuild';
import ts from 'typescript';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  root: string;
  nodeBundle: Record<string, unknown>;
};

/** Constants used per request, per fault or per folio check on the trace replay's path. */
const HOT = [
  // sim/faultConsts.ts
  'FRAME_RETRY_NS',
  'STOP_EVERY',
  'FAULTED',
  'FAULTED_NO_FRAME',
  'FAULTED_SUSPENDED',
  // sim/layout/control.ts (HostFrames.tryTake)
  'CTL_FREE_FRAMES',
  // kvm/faultinFast.ts
  'FAULTIN_FAST_NS',
  // mm/reclaimConsts.ts
  'MIN_LRU_BATCH',
  'PMD_PAGES',
  'RMAP_WALK_NS',
  'KSWAPD_SCAN_PER_STEP',
  'DIRECT_SCAN_PER_STEP',
  // mm/policy/mglruConsts.ts
  'MAX_NR_GENS',
  'GEN_MASK',
  'MIN_SEQ',
  'MAX_SEQ',
  'TOTAL',
  'NR_PAGES',
  'AGING_NO',
  'AGING_SHOULD',
  'AGING_MUST',
  'DEFER_PROMOTE',
  'DEFER_ACTIVATE',
  'DEFER_PUTBACK',
  // layout.ts (rcuReadLock, as rcu.ts's EPOCH_MASK)
  'RCU_EPOCH_MASK',
  'EPOCH_MASK',
];

/** Names bound by the bundle's top-level `var` / `let` / `const` statements. */
function topLevelBindings(code: string): Set<string> {
  const sf = ts.createSourceFile('bundle.mjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const names = new Set<string>();
  for (const st of sf.statements)
    if (ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
  return names;
}

describe('hot-path constants of the sim worker bundle', () => {
  it('are inlined: none is a top-level binding of the bundle', async () => {
    const out = await build({
      ...workers.nodeBundle,
      entryPoints: [path.join(workers.root, 'engine/host/node/simWorker.ts')],
      write: false,
      logLevel: 'silent',
    });
    const bindings = topLevelBindings(out.outputFiles[0].text);
    // The check sees top-level bindings at all (a constant of a module that imports is one).
    expect(bindings.size).toBeGreaterThan(100);
    expect(HOT.filter((n) => bindings.has(n))).toEqual([]);
  }, 60_000);
});
