/**
 * The one attachment that owns chart.js lifecycles: `{@attach lineChart(() => spec)}` on a <canvas>.
 *
 * Contract: the chart is created once per canvas and destroyed with it. Spec changes are read in an
 * $effect (not when the attachment first runs, which would recreate the chart) and applied at most once
 * per animation frame with animations off, so a fast sample stream never blocks the renderer thread.
 * Datasets are matched by series key and updated in place. Missing values (null: NaN or no data, e.g.
 * eviction precision before the first refault window closes) are drawn as gaps, never bridged.
 * Test hooks on the canvas: `data-mounted` once the chart exists, `data-points` (count of non-null
 * points drawn), `data-rows` (points of the longest series, gaps included) and `data-legend` (the
 * legend entries as drawn, JSON) as of the last draw.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { untrack } from 'svelte';
import type { Attachment } from 'svelte/attachments';
import { formatTick } from './format.ts';
import { countValues, type Point, type Series } from './series.ts';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  BarController,
  BarElement,
);

/**
 * `text` shortened in the middle with '…' until `width(text)` fits `room` px (unchanged when it fits).
 * The head ('#2 x86 workstation') and the tail (the last edited settings) both name the run.
 */
export function fitText(text: string, room: number, width: (t: string) => number): string {
  if (width(text) <= room) return text;
  let lo = 0;
  let hi = text.length - 1;
  const cut = (keep: number) => {
    const head = Math.ceil(keep / 2);
    return `${text.slice(0, head).replace(/[\s·]+$/, '')} … ${text.slice(text.length - (keep - head)).replace(/^[\s·]+/, '')}`;
  };
  // The longest cut that fits: `keep` characters of the original kept.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (width(cut(mid)) <= room) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

const LEGEND_FONT_SIZE = 10;

/**
 * Legend options shared by the line and bar charts. chart.js draws each legend entry on one line and
 * clips what overflows the canvas, so a run label longer than the chart (a run with many edited
 * settings: '#2 x86 workstation … · walkLevel 17 ns · swapIn 99999 ns · host 1111 MiB · seed 12345')
 * lost both ends; entries are shortened in the middle to the canvas width. Tooltips keep the full label.
 */
function legendOptions() {
  return {
    display: false,
    position: 'bottom' as const,
    labels: {
      boxWidth: 10,
      font: { size: LEGEND_FONT_SIZE },
      generateLabels: (chart: Chart) => {
        const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
        const ctx = chart.ctx;
        ctx.save();
        ctx.font = `${LEGEND_FONT_SIZE}px ${Chart.defaults.font.family}`;
        // Box (10) + its gap (~10) + the legend's side padding (~20).
        const room = chart.width - 40;
        for (const item of items) item.text = fitText(item.text, room, (t) => ctx.measureText(t).width);
        ctx.restore();
        return items;
      },
    },
  };
}

/** Test hook: the legend entries as drawn (data-legend, JSON), '[]' when the legend is hidden. */
function markLegend(chart: Chart<'line', Point[]> | Chart<'bar', (number | null)[]>): void {
  const legend = (
    chart as unknown as { legend?: { options?: { display?: boolean }; legendItems?: { text: string }[] } }
  ).legend;
  const shown = legend?.options?.display ? (legend.legendItems ?? []).map((i) => i.text) : [];
  chart.canvas.dataset.legend = JSON.stringify(shown);
}

/** Text and grid colours of the current colour scheme (CSS variables of app.css). */
export function chartTheme(): { text: string; grid: string; background: string } {
  const css = typeof document !== 'undefined' ? getComputedStyle(document.documentElement) : null;
  const v = (name: string, fallback: string) => css?.getPropertyValue(name).trim() || fallback;
  return { text: v('--muted', '#64748b'), grid: v('--grid', '#e2e8f0'), background: v('--card', '#ffffff') };
}

/** Every live chart, so a change of the system colour scheme re-themes them all (not state: nothing renders from it). */
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const liveCharts = new Set<Chart>();

function applyTheme(chart: Chart): void {
  const t = chartTheme();
  const scales = chart.options.scales as Record<
    string,
    { ticks?: { color?: string }; grid?: { color?: string }; title?: { color?: string } }
  >;
  for (const axis of Object.values(scales)) {
    axis.ticks = { ...axis.ticks, color: t.text };
    axis.grid = { ...axis.grid, color: t.grid };
    axis.title = { ...axis.title, color: t.text };
  }
  const legend = chart.options.plugins?.legend;
  if (legend) legend.labels = { ...legend.labels, color: t.text };
}

if (typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const c of liveCharts) {
      applyTheme(c);
      c.update('none');
    }
  });
}

export interface ChartSpec {
  yLabel: string;
  xLabel: string;
  yMin?: number;
  yMax?: number;
  /** Upper end of the x axis (virtual seconds), so a live chart fills left to right. */
  xMax?: number;
  /** Unit of y values, shown in tooltips. */
  unit?: string;
  series: Series[];
}

type LineDataset = ChartDataset<'line', Point[]> & { key: string };

function dataset(s: Series): LineDataset {
  return {
    key: s.key,
    label: s.label,
    data: s.points,
    borderColor: s.color,
    backgroundColor: s.color,
    borderWidth: 1.5,
    pointRadius: 0,
    pointHitRadius: 4,
    // A NaN/null value is a gap: a line across it would invent values the engine did not produce.
    spanGaps: false,
    normalized: true,
  };
}

function apply(chart: Chart<'line', Point[]>, spec: ChartSpec): void {
  const old = new Map((chart.data.datasets as LineDataset[]).map((d) => [d.key, d]));
  chart.data.datasets = spec.series.map((s) => {
    const d = old.get(s.key);
    if (!d) return dataset(s);
    // In place: chart.js keeps its element caches for the dataset, only new points are parsed.
    d.data = s.points;
    d.label = s.label;
    d.borderColor = d.backgroundColor = s.color;
    return d;
  });
  const scales = chart.options.scales as Record<string, { min?: number; max?: number; title?: { text?: string } }>;
  scales.x.max = spec.xMax;
  scales.y.min = spec.yMin ?? 0;
  scales.y.max = spec.yMax;
  if (scales.y.title) scales.y.title.text = spec.yLabel;
  // A legend names each run when several share the axes (one run: the title says which).
  const legend = chart.options.plugins?.legend;
  if (legend) legend.display = spec.series.length > 1;
  chart.update('none');
  markLegend(chart);
  chart.canvas.dataset.points = String(countValues(spec.series));
  chart.canvas.dataset.rows = String(Math.max(0, ...spec.series.map((s) => s.points.length)));
}

/**
 * Chart construction is the expensive step (layout, fonts, first draw: tens of ms each). Charts are
 * created one per animation frame from this queue, so mounting seven charts as a run starts never
 * makes one long task.
 */
const createQueue: (() => void)[] = [];
let queueFrame = 0;

function enqueueCreate(create: () => void): void {
  createQueue.push(create);
  if (queueFrame !== 0) return;
  const step = () => {
    createQueue.shift()?.();
    queueFrame = createQueue.length > 0 ? requestAnimationFrame(step) : 0;
  };
  queueFrame = requestAnimationFrame(step);
}

function createChart(canvas: HTMLCanvasElement, spec: ChartSpec): Chart<'line', Point[]> {
  const chart = new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      parsing: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      plugins: {
        // No per-chart legend: the run list / compare picker show each run's colour once for all charts.
        legend: legendOptions(),
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? `${formatTick(items[0].parsed.x ?? NaN)} virtual s` : ''),
            label: (c) => `${c.dataset.label}: ${formatTick(c.parsed.y ?? NaN)} ${spec.unit ?? ''}`.trimEnd(),
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          title: { display: true, text: spec.xLabel, font: { size: 11 } },
          ticks: { font: { size: 10 }, maxTicksLimit: 7, callback: (v) => formatTick(Number(v)) },
        },
        y: {
          type: 'linear',
          title: { display: true, text: spec.yLabel, font: { size: 11 } },
          ticks: { font: { size: 10 }, maxTicksLimit: 6, callback: (v) => formatTick(Number(v)) },
        },
      },
    },
  });
  applyTheme(chart);
  apply(chart, spec);
  return chart;
}

export function lineChart(getSpec: () => ChartSpec): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    let chart: Chart<'line', Point[]> | null = null;
    let destroyed = false;
    let latest: ChartSpec = untrack(getSpec);
    let dirty = false;
    let frame = 0;

    enqueueCreate(() => {
      if (destroyed) return;
      chart = createChart(canvas, latest);
      liveCharts.add(chart);
      dirty = false;
      canvas.dataset.mounted = 'true';
    });

    $effect(() => {
      latest = getSpec();
      dirty = true;
      if (frame === 0 && chart) {
        frame = requestAnimationFrame(() => {
          frame = 0;
          if (chart && dirty) apply(chart, latest);
          dirty = false;
        });
      }
    });

    return () => {
      destroyed = true;
      if (frame !== 0) cancelAnimationFrame(frame);
      if (chart) liveCharts.delete(chart);
      chart?.destroy();
    };
  };
}

export interface BarSpec {
  labels: string[];
  yLabel: string;
  unit: string;
  datasets: { label: string; color: string; data: (number | null)[] }[];
}

/** A grouped bar chart (per-guest figures): `{@attach barChart(() => spec)}` on a <canvas>. */
export function barChart(getSpec: () => BarSpec): Attachment<HTMLCanvasElement> {
  return (canvas) => {
    let chart: Chart<'bar', (number | null)[]> | null = null;
    let destroyed = false;
    let latest: BarSpec = untrack(getSpec);
    const update = (c: Chart<'bar', (number | null)[]>, spec: BarSpec) => {
      c.data.labels = spec.labels;
      c.data.datasets = spec.datasets.map((d) => ({ label: d.label, data: d.data, backgroundColor: d.color }));
      const y = (c.options.scales as Record<string, { title?: { text?: string } }>).y;
      if (y.title) y.title.text = spec.yLabel;
      const legend = c.options.plugins?.legend;
      if (legend) legend.display = spec.datasets.length > 1;
      c.update('none');
      markLegend(c);
      canvas.dataset.bars = String(spec.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0));
    };
    enqueueCreate(() => {
      if (destroyed) return;
      chart = new Chart<'bar', (number | null)[]>(canvas, {
        type: 'bar',
        data: { labels: [], datasets: [] },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: {
            legend: legendOptions(),
            tooltip: {
              callbacks: {
                label: (c) => `${c.dataset.label}: ${formatTick(c.parsed.y ?? NaN)} ${latest.unit}`.trimEnd(),
              },
            },
          },
          scales: {
            x: { type: 'category', ticks: { font: { size: 10 } } },
            y: {
              type: 'linear',
              beginAtZero: true,
              title: { display: true, text: latest.yLabel, font: { size: 11 } },
              ticks: { font: { size: 10 }, maxTicksLimit: 6, callback: (v) => formatTick(Number(v)) },
            },
          },
        },
      });
      applyTheme(chart);
      liveCharts.add(chart);
      update(chart, latest);
      canvas.dataset.mounted = 'true';
    });
    $effect(() => {
      latest = getSpec();
      if (chart) update(chart, latest);
    });
    return () => {
      destroyed = true;
      if (chart) liveCharts.delete(chart);
      chart?.destroy();
    };
  };
}
