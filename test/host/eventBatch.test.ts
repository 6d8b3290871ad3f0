import { describe, expect, it } from 'vitest';
import { WorkerEventBatch } from '../../engine/host/eventBatch.ts';
import type { WorkerToHost } from '../../engine/host/messages.ts';

const row = (x: number): Float64Array => Float64Array.of(x);

describe('WorkerEventBatch (coalescing by wall time)', () => {
  it('posts at most once per interval, keeps every row in order, flushes the rest', () => {
    const posted: WorkerToHost[] = [];
    let now = 0;
    const b = new WorkerEventBatch(
      (m) => posted.push(m),
      () => now,
      () => false,
      50,
    );
    // 1000 quanta, one row each, 1 ms of wall time apart: ~20 posts, not 1000.
    for (let q = 0; q < 1000; q++) {
      now += 1;
      b.addRows(q, [row(q)]);
      b.progress(q * 1e6);
    }
    b.flush();
    const rows = posted.flatMap((m) => (m.type === 'rows' ? m.rows.map((r) => r[0]) : []));
    expect(rows).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const progress = posted.filter((m) => m.type === 'progress');
    expect(progress.length).toBeLessThanOrEqual(21);
    expect(progress.length).toBeGreaterThanOrEqual(19);
    expect(progress.at(-1)).toEqual({ type: 'progress', virtualNs: 999e6 });
    // Each rows message is contiguous and starts where it says.
    let next = 0;
    for (const m of posted) {
      if (m.type !== 'rows') continue;
      expect(m.startRow).toBe(next);
      next += m.rows.length;
    }
  });

  it('posts at once when urgent (pause/stop requested)', () => {
    const posted: WorkerToHost[] = [];
    let urgent = false;
    const b = new WorkerEventBatch(
      (m) => posted.push(m),
      () => 0,
      () => urgent,
      50,
    );
    b.addRows(0, [row(0)]);
    b.progress(1);
    expect(posted).toEqual([]);
    urgent = true;
    b.addRows(1, [row(1)]);
    b.progress(2);
    expect(posted.map((m) => m.type)).toEqual(['rows', 'progress']);
    expect(posted[0]).toMatchObject({ startRow: 0, rows: [row(0), row(1)] });
  });

  it('splits rows that are not contiguous (another worker emitted in between)', () => {
    const posted: WorkerToHost[] = [];
    const b = new WorkerEventBatch(
      (m) => posted.push(m),
      () => 0,
      () => false,
      50,
    );
    b.addRows(0, [row(0), row(1)]);
    b.addRows(5, [row(5)]);
    b.flush();
    expect(posted.map((m) => (m.type === 'rows' ? [m.startRow, m.rows.length] : m.type))).toEqual([
      [0, 2],
      [5, 1],
    ]);
  });
});
