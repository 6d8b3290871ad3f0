/**
 * Bundles every worker entry point listed in scripts/workers.mjs into .cache/workers/
 * before the tests run, so tests start real worker_threads from plain .mjs files.
 */
import { bundleWorkers } from '../scripts/workers.mjs';

export default async function setup(): Promise<void> {
  await bundleWorkers();
}
