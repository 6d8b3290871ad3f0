import type { startRun } from '../host/engine.ts';

/** What the CLI needs from its environment; main.ts builds it from the process, tests may fake parts. */
export interface CliContext {
  /** Repository root (presets/, .cache/workers/, ../shared/data/traces are found from it). */
  root: string;
  presetDir: string;
  /** The bundled simulation worker (scripts/workers.mjs 'sim-worker'). */
  workerPath: string;
  appVersion: string;
  cores: number;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Draw a progress bar (stderr is a terminal). */
  tty: boolean;
  /** Registers a Ctrl-C handler for the duration of a run; returns the unregister function. */
  onInterrupt: (handler: () => void) => () => void;
  /** Ends the process now (a second Ctrl-C); tests record the code instead. */
  exit: (code: number) => void;
  /** Test seam: how a run starts (default engine/host's startRun), e.g. to inject a failing run. */
  startRun?: typeof startRun;
}
