// Types for scripts/workers.mjs, imported by TypeScript tests.
export const root: string;
export const workerDir: string;
export const workerEntries: Record<string, string>;
export const aliasedWorkerEntries: Record<string, [string, string]>;
export function bundleWorkers(
  entries?: Record<string, string>,
  aliased?: Record<string, [string, string]>,
): Promise<void>;
export function workerPath(name: string): string;
