/**
 * Pure helpers of the Reproductions view (unit-tested in test/renderer/reproductions.test.ts): how a
 * figure's value is printed (as `lab reproduce` prints it), the rows of the table, the charts of a
 * reproduction's runs and each run's curve source. Every number comes from the host's result.
 */
import type { ReproductionInfo, ReproductionResult, RunSummary } from '../../../engine/protocol.ts';
import { chartByColumn, type ChartDef } from './metrics.ts';
import type { SeriesSource } from './series.ts';

/** As the CLI's table: whole numbers from 100 up, three decimals below; 'n/a' when not finite. */
export function formatFigure(x: number): string {
  return Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3)) : 'n/a';
}

export interface ReproRow {
  id: string;
  title: string;
  /** First row of its reproduction (the cell with the reproduction's name spans its figures and its note). */
  first: boolean;
  span: number;
  /** Last figure of its reproduction: its note (how to read the figures) follows it on a row of its own. */
  last: boolean;
  note: string;
  figure: string;
  label: string;
  published: string;
  band: string;
  /** Absent until the reproduction has a result. */
  lab?: string;
  inBand?: boolean;
}

/**
 * Where a result is filed: by reproduction, and by the what-if hardware profile it ran on ('' = each
 * reproduction's own), so a what-if never overwrites the published-hardware result or another what-if's.
 */
export function reproResultKey(id: string, profile: string | undefined): string {
  return profile ? `${id}@${profile}` : id;
}

/**
 * One row per figure of every reproduction, with the lab value and in-band once a result is there
 * for the hardware shown (`profile`: a what-if's profile id, '' = each reproduction's own).
 */
export function reproRows(
  infos: readonly ReproductionInfo[],
  results: Record<string, ReproductionResult>,
  profile = '',
): ReproRow[] {
  return infos.flatMap((info) =>
    info.figures.map((f, i) => {
      const got = results[reproResultKey(info.id, profile)]?.figures.find((x) => x.id === f.id);
      return {
        id: info.id,
        title: info.title,
        first: i === 0,
        span: info.figures.length,
        last: i === info.figures.length - 1,
        note: info.note,
        figure: f.id,
        label: f.label,
        published: formatFigure(f.published),
        band: f.bandText,
        ...(got ? { lab: formatFigure(got.lab), inBand: got.inBand } : {}),
      };
    }),
  );
}

/**
 * max_guest_memory_test's run 2 of a run, in virtual ms: the second pass's end minus the first's (the
 * figure's input, as engine/core/repro/reproductions.ts run2Ms computes it), or undefined when the run
 * has no second pass (memcached) — so the runs table shows what a "run 2 time" figure divides.
 */
export function run2Ms(summary: RunSummary): number | undefined {
  const p = summary.guests[0]?.passEndMs;
  return p !== undefined && p.length >= 2 ? p[1] - p[0] : undefined;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The rate the published benchmark's work goes at, per sample interval. */
const ACCESS_RATE: ChartDef = {
  column: 'throughput',
  title: 'Guest access rate',
  yLabel: 'accesses / virtual s',
  unit: 'accesses / virtual s',
  help: 'Guest memory accesses per virtual second, per sample interval: how fast the benchmark’s work goes.',
  explain:
    'Accesses the guest’s vCPUs completed per virtual second in each sample interval. A fixed job (max_guest_memory_test) takes a time inversely proportional to this rate; memcached’s operations are a few accesses each, so its ops/s (in the table’s figures) follows the same curve. Stalls — stage-2 faults, MMU-lock waits, swap-ins, direct reclaim — pull it down.',
  yMin: 0,
  value: (c, i) => finite(c.throughput[i]),
};

/** The charts of a reproduction: the access rate, the hit rate and the MMU lock wait of each run. */
export const REPRO_CHARTS: readonly ChartDef[] = [
  ACCESS_RATE,
  chartByColumn('hitRate') as ChartDef,
  chartByColumn('lockWaitNs') as ChartDef,
];

/** One curve source per run of the result, labelled by what the run changes. */
export function runSources(result: ReproductionResult): SeriesSource[] {
  return result.runs.map((r, i) => ({
    key: `${result.id}/${r.key}`,
    label: `${r.key}: ${r.harvest}, ${r.policy}`,
    samples: r.samples,
    colorIndex: i,
  }));
}
