/**
 * `npm run lab -- help`: every command's usage line comes before the option blocks. s16-g's trial read
 * `sweep` and `worker` under "run options:" (they were printed after it) as options of `run`. In-process
 * through runCli. Control: printing the commands after the run options, as before, fails the order test.
 */
import { describe, expect, it } from 'vitest';
import { processContext, runCli } from '../../engine/cli/main.ts';
import type { CliContext } from '../../engine/cli/context.ts';
import { repoRoot } from '../trace/traceFiles.ts';

async function help(...argv: string[]): Promise<string> {
  let out = '';
  const ctx: CliContext = { ...processContext(repoRoot), stdout: (s) => void (out += s), stderr: () => {}, tty: false };
  expect(await runCli(argv, ctx)).toBe(0);
  return out;
}

describe('lab help', () => {
  it('lists every command under usage, before the run options and the sweep spec', async () => {
    const lines = (await help('help')).split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const options = at(/^run options/);
    const spec = at(/^sweep spec:/);
    expect(at(/^usage:$/)).toBe(0);
    expect(options).toBeGreaterThan(0);
    expect(spec).toBeGreaterThan(options);
    for (const cmd of ['run', 'show', 'compare', 'presets', 'reproduce', 'sweep', 'worker']) {
      const line = at(new RegExp(`^ {2}npm run lab -- ${cmd} `));
      expect(line, cmd).toBeGreaterThan(0);
      expect(line, cmd).toBeLessThan(options);
    }
    // Where the long form of the run options is.
    expect(lines[options]).toContain('npm run lab -- run --help');
  });

  it('`sweep --help` prints the same usage; `run --help` the run page', async () => {
    expect(await help('sweep', '--help')).toBe(await help('help'));
    expect(await help('run', '--help')).toMatch(/^usage: npm run lab -- run /);
  });
});
