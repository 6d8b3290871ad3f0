// `npm run test:e2e`: UI end-to-end tests of the browser edition in Debian's Chromium.
// Builds out/web, serves it with COOP/COEP on a free loopback port, installs Chromium with apt-get if
// /usr/bin/chromium is missing (CI runs as root on a fresh machine), then runs test/e2e/*.test.mjs with
// node's test runner. Exits non-zero on failure. `--no-build` reuses an existing out/web; other
// arguments pick test files by name.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWeb, root, webOut } from './buildWeb.mjs';
import { serveStatic } from './serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  console.log(`${CHROMIUM} not found: installing Debian's chromium with apt-get`);
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const r = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); install chromium or set CHROMIUM_PATH`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`chromium installed but ${CHROMIUM} is still missing; set CHROMIUM_PATH`);
}

async function main() {
  const started = Date.now();
  ensureChromium();
  if (!process.argv.includes('--no-build') || !existsSync(path.join(webOut, 'index.html'))) {
    console.log('building the browser edition…');
    await buildWeb({ quiet: true });
  }
  const { server, url } = await serveStatic(webOut, { port: 0 });
  console.log(`serving ${webOut} at ${url}`);
  const dir = path.join(root, 'test', 'e2e');
  // Positional arguments pick test files by name (`npm run test:e2e -- explain`); none runs them all.
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.mjs') && (only.length === 0 || only.some((o) => f.includes(o))))
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new Error(`no e2e test file matches ${only.join(', ')}`);
  // `--json=FILE` (used by scripts/test.mjs): also write a TAP report and sum it up as { passed, failed }.
  const jsonOut = process.argv.find((a) => a.startsWith('--json='))?.slice('--json='.length);
  const tapFile = jsonOut ? `${jsonOut}.tap` : null;
  const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout'];
  if (tapFile) reporters.push('--test-reporter=tap', `--test-reporter-destination=${tapFile}`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...reporters, ...files], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, E2E_URL: url, CHROMIUM_PATH: CHROMIUM },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  server.close();
  if (jsonOut) {
    const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
    const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
    const failed = count('fail') + (code !== 0 && count('fail') === 0 ? 1 : 0);
    writeFileSync(jsonOut, JSON.stringify({ passed: count('pass'), failed }));
  }
  console.log(
    `e2e ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in test-results/e2e/`,
  );
  process.exit(code);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
