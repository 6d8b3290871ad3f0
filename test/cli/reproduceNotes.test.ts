/**
 * `lab reproduce` prints, under its table, how to read each reproduction's figures (Reproduction.note):
 * a new user (s9-t trial) saw "NO" beside v1's run-2 ratio with nothing saying the published v1 figures
 * are x86's (the test cannot run on arm64) or that the x86 what-if exists. In-process through runCli
 * with a fake engine (each run finishes at once with a summary set per harvest mode), so no simulation runs.
 * Negative control: without the notes block in engine/cli/reproduce.ts both tests fail (run by hand).
 */
import { describe, expect, it } from 'vitest';
import { processContext, runCli } from '../../engine/cli/main.ts';
import type { CliContext } from '../../engine/cli/context.ts';
import type { RunHandle } from '../../engine/host/engine.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { makeRunResult } from '../session/fixtures.ts';
import { repoRoot } from '../trace/traceFiles.ts';

/** Run 2 is 3x longer locked than lockless: v1's ratio lands below its band (>= 5). */
function fakeRun(config: ScenarioConfig): RunHandle {
  const base = makeRunResult(2);
  const locked = config.reclaim.harvest === 'locked-write';
  const summary = {
    ...base.summary,
    opsPerSec: 100,
    opLatencyP99Ns: 200,
    kswapdWriteWaitShare: locked ? 0.2 : 0.01,
    guests: [{ ...base.summary.guests[0], passEndMs: [100, locked ? 400 : 200] }],
  };
  return {
    runId: 'fake',
    pause: () => {},
    resume: () => {},
    stop: () => {},
    done: Promise.resolve({ ...base, config, summary, stopped: false }),
  };
}

async function reproduce(...args: string[]): Promise<{ code: number; out: string }> {
  return reproduceIn(undefined, ...args);
}

/** `columns`: stdout's terminal width (undefined: a pipe, 100 columns). */
async function reproduceIn(columns: number | undefined, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const ctx: CliContext = {
    ...processContext(repoRoot),
    stdout: (s) => void (out += s),
    stderr: () => {},
    startRun: (config) => fakeRun(config),
    columns,
  };
  const code = await runCli(['reproduce', ...args], ctx);
  return { code, out };
}

describe('lab reproduce: how to read the figures', () => {
  it('says under the table that the v1 figures are x86’s and how to run the x86 what-if', async () => {
    const { code, out } = await reproduce('repro-v1-mglru');
    expect(code).toBe(1); // out of band
    expect(out).toMatch(/^repro-v1-mglru\s+run 2 time locked \/ lockless .*\s3\.000\s+>= 5\s+NO$/m);
    const notes = out.slice(out.indexOf('reading the figures:'));
    expect(out.indexOf('reading the figures:')).toBeGreaterThan(out.indexOf(' NO'));
    const text = notes.replace(/\s+/g, ' ');
    expect(text).toContain('repro-v1-mglru: Published on x86, reproduced on arm64');
    expect(text).toContain('KVM_GET_REGS');
    expect(text).toContain('npm run lab -- reproduce repro-v1-mglru --profile x86-workstation');
    // Wrapped for a terminal (100 columns when piped).
    for (const line of notes.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  // s16-g's trial: the table ran to 166 columns (the figure labels) and the notes wrapped at a fixed 110,
  // so an 80- or 100-column terminal folded every row. The figure column keeps 24 characters, so the
  // table fits from 90 columns (the other five take 66). Control: the old table() and notes(..., 110)
  // fail the 90 and 100 cases.
  it.each([
    [90, 90],
    [undefined, 100],
    [200, 200],
  ])('columns %s: table and notes fit in %i, each figure label whole in its column', async (columns, width) => {
    const { out } = await reproduceIn(columns);
    const lines = out.split('\n');
    for (const l of lines.slice(0, lines.indexOf('reading the figures:')))
      expect(l.length, l).toBeLessThanOrEqual(width);
    for (const l of lines.slice(lines.indexOf('reading the figures:'))) {
      // A lone word longer than the width (a URL) is the one exception wrap() allows.
      if (l.trim().includes(' ')) expect(l.length, l).toBeLessThanOrEqual(width);
    }
    const labelAt = lines[0].indexOf('figure');
    const rows = lines.slice(2, lines.indexOf(''));
    // Every label's words, continuation lines included, in the figure column.
    const labels = rows.map((l) => l.slice(labelAt, labelAt + (lines[1].split('  ')[1]?.length ?? 0)).trim()).join(' ');
    expect(labels).toContain('run 2 time locked / lockless (~600 s -> ~50 s)');
    expect(labels).toContain('kswapd time in MMU write-lock wait, after (test_clear_young 1.53 %)');
    // Wide enough: one line per figure.
    if (width === 200) expect(rows.every((l) => /(yes|NO)$/.test(l))).toBe(true);
    else expect(rows.some((l) => !/(yes|NO)$/.test(l))).toBe(true);
  });

  it('names the mechanism the lab lacks for memcached, and every reproduction run gets its note', async () => {
    const { out } = await reproduce();
    const text = out.slice(out.indexOf('reading the figures:')).replace(/\s+/g, ' ');
    for (const id of ['repro-memcached-arm64', 'repro-v1-mglru', 'repro-v1-active-inactive', 'repro-v2-baseline'])
      expect(text).toContain(` ${id}: `);
    expect(text).toContain('kvm_age_gfn');
  });
});
