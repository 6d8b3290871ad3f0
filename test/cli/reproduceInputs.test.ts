/**
 * `lab reproduce --inputs` wraps to the terminal (CliContext.columns), or 100 columns when stdout is not
 * one: a cost's source ran to 2,000+ characters on one line (s15-h's trial). Every source still reaches
 * the text whole (same words, in order). Control: on the old listInputs (one line per input, note at 110)
 * the width checks fail.
 */
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../engine/cli/context.ts';
import { runCli } from '../../engine/cli/main.ts';
import { textWidth, wrapAfter } from '../../engine/cli/format.ts';
import { defaultPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';

interface Info {
  id: string;
  note: string;
  inputs: { name: string; value: string; source: string }[];
}

async function lab(columns: number | undefined, ...argv: string[]): Promise<string> {
  let out = '';
  const ctx = {
    root: repoRoot,
    presetDir: defaultPresetDir,
    stdout: (s: string) => void (out += s),
    stderr: (s: string) => void (out += s),
    tty: false,
    columns,
  } as CliContext;
  expect(await runCli(['reproduce', ...argv], ctx)).toBe(0);
  return out;
}

const words = (s: string): string => s.split(/\s+/).filter(Boolean).join(' ');

describe('lab reproduce --inputs wraps', () => {
  it.each([
    [undefined, 100],
    [80, 80],
    [160, 160],
  ])('columns %s: lines fit in %i (a lone longer word excepted), every source whole', async (columns, width) => {
    const text = await lab(columns, '--inputs');
    const infos = JSON.parse(await lab(columns, '--inputs', '--json')) as Info[];
    const over = text.split('\n').filter((l) => l.length > width);
    for (const l of over) expect(l, 'only a single long word may overflow').toMatch(/^\s*(source: )?\S+$/);
    expect(over.length).toBeLessThan(40); // the lore.kernel.org addresses, not the prose
    const flat = words(text);
    for (const info of infos) {
      expect(flat).toContain(words(info.note));
      for (const i of info.inputs) expect(flat).toContain(words(i.source));
    }
  });

  it('a wide terminal keeps the table: name, value and source on one row', async () => {
    const text = await lab(200, 'repro-v2-baseline', '--inputs');
    expect(text).toMatch(/^ {2}cost tlbFlushVmid\s+\S.*\s{2}Estimate/m);
  });

  it('textWidth and wrapAfter: hand-made cases', () => {
    expect(textWidth(undefined)).toBe(100);
    expect(textWidth(132)).toBe(132);
    expect(textWidth(10)).toBe(100); // a width no text fits in is not used
    expect(wrapAfter('  a  ', 'one two three', 13, '      ', 5)).toBe('  a  one two\n     three');
    expect(wrapAfter('  a  ', 'short', 13)).toBe('  a  short');
    // Fewer than minText columns left: the text goes under, after the indent.
    expect(wrapAfter('  name  ', 'one two', 12, '    ', 6)).toBe('  name\n    one two');
  });
});
