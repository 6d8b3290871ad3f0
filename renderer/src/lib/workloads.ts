/**
 * Switching a guest's workload kind in the editor: start from a preset workload of that kind when the
 * catalog has one, otherwise carry over the shared fields (pages, writes, think time). Pure.
 */
import type { PresetCatalog, WorkloadKind, WorkloadSpec } from '../../../engine/protocol.ts';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['zipf', 'uniform', 'scan', 'hotset', 'trace'];

export function workloadOfKind(kind: WorkloadKind, prev: WorkloadSpec, catalog: PresetCatalog | null): WorkloadSpec {
  if (prev.kind === kind) return prev;
  const preset = catalog?.workloads.find((w) => w.workload.kind === kind);
  if (preset) return structuredClone(preset.workload);
  const pages = 'pages' in prev ? prev.pages : 4096;
  const { writeFraction, thinkNs } = prev;
  switch (kind) {
    case 'zipf':
      return { kind, pages, theta: 0.99, writeFraction, thinkNs };
    case 'uniform':
      return { kind, pages, writeFraction, thinkNs };
    case 'scan':
      return { kind, pages, writeFraction, thinkNs };
    case 'hotset':
      return {
        kind,
        pages,
        hotPages: Math.max(1, Math.floor(pages / 10)),
        hotProbability: 0.9,
        shiftEveryMs: 100,
        writeFraction,
        thinkNs,
      };
    case 'trace':
      return { kind, trace: 'cloudPhysicsIO', writeFraction, thinkNs };
    default: {
      const never: never = kind;
      throw new Error(`unexpected workload kind ${String(never)}`);
    }
  }
}
