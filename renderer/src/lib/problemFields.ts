/**
 * Which field of the setup a validation problem is about. The engine refuses a config with problems of
 * the form `path: what is wrong` (engine/core/config, ErrorInfo.problems), e.g.
 * `guests[2] 'cache'.workload.pages: must be an integer >= 1 ...`. With four guests on a long page a user had to
 * count guests from 0 to find the field; the app now marks the field and brings it into view
 * (markInvalid.ts). This module is pure: a problem -> the CSS selector of its input, or null when the
 * path has no field of its own (a relation between fields, a trace not loaded).
 */

/**
 * The `path` of a `path: problem` line, or null when the line does not start with one. A guest's index
 * may carry its name (`guests[2] 'cache'.vcpus`, engine/core/config/fields.ts guestPath): the path
 * returned is without it (`guests[2].vcpus`).
 */
export function problemPath(problem: string): string | null {
  const m = /^([A-Za-z]\w*(?:\[\d+\](?: '[^\n]*?')?|\.[A-Za-z]\w*)*):\s/.exec(problem);
  return m ? m[1].replace(/(\[\d+\]) '[^\n]*?'(?=$|\.[A-Za-z]|\[)/g, '$1') : null;
}

/** Fields of the sidebar and the hardware card, by config path (HostEditor, ReclaimEditor, RunSpecEditor). */
const FIXED: Record<string, string> = {
  'host.memoryMiB': '#host-mem',
  'host.watermarks.minPct': '#wm-min',
  'host.watermarks.lowPct': 'input[aria-label="low watermark"]',
  'host.watermarks.highPct': 'input[aria-label="high watermark"]',
  'host.swap.device': '#swap-dev',
  'host.swap.sizeMiB': '#swap-size',
  'reclaim.policy': '#policy',
  'reclaim.harvest': '#harvest',
  'reclaim.agingIntervalMs': '#aging',
  'reclaim.tlb.entries': '#tlb-entries',
  'run.durationMs': '#duration',
  'run.sampleIntervalMs': '#sample',
  'run.seed': '#seed',
  'run.workers': '#workers',
  'run.refaultWindowMs': '#window',
};

/** A guest's workload fields (WorkloadEditor: `g<i>-<suffix>`). */
const WORKLOAD: Record<string, string> = {
  kind: 'kind',
  pages: 'pages',
  trace: 'trace',
  theta: 'theta',
  hotPages: 'hot',
  hotProbability: 'hotp',
  shiftEveryMs: 'shift',
  writeFraction: 'wf',
  thinkNs: 'think',
};

/** The CSS selector of the input that edits `path`, or null when no one field does. */
export function fieldSelector(path: string): string | null {
  if (FIXED[path]) return FIXED[path];
  const cost = /^hardware\.costs\.(\w+)(?:\.ns)?$/.exec(path);
  if (cost) return `[data-testid="cost-${cost[1]}"]`;
  const g = /^guests\[(\d+)\](?:\.(\w+)(?:\.(\w+))?)?$/.exec(path);
  if (!g) return null;
  const [, i, field, sub] = g;
  if (field === 'name' && !sub) return `[data-testid="guest-${i}"] input[aria-label="Guest name"]`;
  if (field === 'memoryMiB' && !sub) return `#g${i}-mem`;
  if (field === 'vcpus' && !sub) return `#g${i}-vcpus`;
  if (field === 'protected' && !sub) return `[data-testid="g${i}-protected"]`;
  if (field === 'workload' && sub && WORKLOAD[sub]) return `#g${i}-${WORKLOAD[sub]}`;
  return null;
}

/** The problems that name a field, one per field (the first problem about it), in the order given. */
export function invalidFields(problems: readonly string[]): { selector: string; problem: string }[] {
  const out: { selector: string; problem: string }[] = [];
  for (const problem of problems) {
    const path = problemPath(problem);
    const selector = path === null ? null : fieldSelector(path);
    if (selector && !out.some((f) => f.selector === selector)) out.push({ selector, problem });
  }
  return out;
}
