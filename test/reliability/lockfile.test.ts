/**
 * Issue 11, defect 12a: `npm install` on a fresh clone must not rewrite package-lock.json (the checkout
 * would be dirty right after the README's first command). npm recomputes the lock from package.json and
 * the lock itself; --package-lock-only --offline does exactly that without touching node_modules or
 * the network, in a scratch folder holding copies of the two files.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../trace/traceFiles.ts';

it('npm install leaves package-lock.json byte for byte as committed', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-lock-'));
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(repoRoot, f), path.join(dir, f));
  execFileSync(
    'npm',
    ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, stdio: 'ignore', timeout: 120_000 },
  );
  const committed = readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8');
  const after = readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
  expect(after).toBe(committed);
}, 180_000);
