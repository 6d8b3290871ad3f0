// Types for scripts/workers.mjs, imported by TypeScript tests.
export const root: string;
export const workerDir: string;
export const workerEntries: Record<string, string>;
export function bundleWorkers(entries?: Record<string, string>): Promise<void>;
export function workerPath(name: string): string;
