// `npm test`: every check, in order, stopping at nothing so one run shows every failure:
//   1. typecheck (engine core with no Node/DOM types, Node side, renderer via svelte-check)
//   2. lint (eslint incl. the layer rules; prettier)
//   3. vitest: unit, property, stress, sim, main, session, CLI tests
//   4. end-to-end UI tests in Debian Chromium (scripts/e2e.mjs installs Chromium if missing)
//   5. electronegativity on the Electron code (no HIGH or MEDIUM finding)
// Prints a closing line "N passed, N failed" counting test cases (vitest + e2e) and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { root } from './workers.mjs';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const results = [];
let passed = 0;
let failed = 0;

function step(name, cmd, args, { optionalFile } = {}) {
  if (optionalFile && !existsSync(path.join(root, optionalFile))) {
    console.log(`\n--- ${name}: skipped (${optionalFile} not present)`);
    return true;
  }
  console.log(`\n--- ${name}: ${[path.basename(cmd), ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, env: process.env });
  const ok = r.status === 0;
  results.push({ name, ok });
  return ok;
}

// Failing test names, repeated in the closing summary: CI keeps only the tail of the output,
// and a failure scrolled away above the e2e and security steps cannot be diagnosed.
const failures = [];

function countVitest(file) {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    for (const suite of j.testResults ?? []) {
      const rel = path.relative(root, suite.name ?? '');
      for (const t of suite.assertionResults ?? []) {
        if (t.status !== 'failed') continue;
        const msg = String(t.failureMessages?.[0] ?? '')
          .split('\n')[0]
          .slice(0, 300);
        failures.push(`${rel} > ${t.fullName ?? t.title}: ${msg}`);
      }
      if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((t) => t.status === 'failed')) {
        failures.push(
          `${rel}: ${String(suite.message ?? 'suite failed')
            .split('\n')[0]
            .slice(0, 300)}`,
        );
      }
    }
    passed += j.numPassedTests ?? 0;
    failed += (j.numFailedTests ?? 0) + (j.numTotalTestSuites && j.success === false && !j.numFailedTests ? 1 : 0);
  } catch {
    failed += 1;
  }
}

mkdirSync(path.join(root, 'test-results'), { recursive: true });
const only = process.argv[2];

if (!only || only === 'static') {
  step('typecheck engine/core (no Node, no DOM)', bin('tsc'), ['-p', 'engine/core/tsconfig.json', '--noEmit']);
  step('typecheck engine/session (no Node, no DOM)', bin('tsc'), ['-p', 'engine/session/tsconfig.json', '--noEmit'], {
    optionalFile: 'engine/session/tsconfig.json',
  });
  step('typecheck Node side', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
  step(
    'typecheck renderer (svelte-check)',
    bin('svelte-check'),
    ['--tsconfig', 'renderer/tsconfig.json', '--fail-on-warnings'],
    {
      optionalFile: 'renderer/tsconfig.json',
    },
  );
  step('lint (eslint)', bin('eslint'), ['.']);
  step('format (prettier)', bin('prettier'), ['--check', '.']);
}
if (!only || only === 'unit') {
  const out = path.join(root, 'test-results', 'vitest.json');
  const ok = step('vitest', bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  countVitest(out);
  if (!ok && failed === 0) failed += 1;
}
if (!only || only === 'e2e') {
  const out = path.join(root, 'test-results', 'e2e.json');
  const ok = step('end-to-end (Chromium)', process.execPath, ['scripts/e2e.mjs', `--json=${out}`], {
    optionalFile: 'scripts/e2e.mjs',
  });
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed += j.passed ?? 0;
    failed += j.failed ?? 0;
  } else if (!ok) failed += 1;
}
if (!only || only === 'security') {
  step('electronegativity', process.execPath, ['scripts/electronegativity.mjs'], {
    optionalFile: 'scripts/electronegativity.mjs',
  });
}

console.log('\n--- summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}`);
for (const f of failures) console.log(`  failed: ${f}`);
const stepsFailed = results.filter((r) => !r.ok).length;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(stepsFailed || failed ? 1 : 0);
