/**
 * Finding a session file in a command line (first launch or a second instance's argv).
 * Contract: the first argument ending in .msgpack that is not a switch, resolved against the caller's
 * working directory; null when there is none. Chromium/Electron switches (--foo, -psn_...) are skipped.
 */
import path from 'node:path';
import { SESSION_EXTENSION } from '../engine/session/index.ts';

export function sessionPathFromArgv(argv: readonly string[], cwd: string): string | null {
  for (const arg of argv) {
    if (arg.startsWith('-')) continue;
    if (arg.toLowerCase().endsWith(`.${SESSION_EXTENSION}`)) return path.resolve(cwd, arg);
  }
  return null;
}
