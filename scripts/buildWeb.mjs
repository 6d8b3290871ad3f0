// Builds the browser edition (vite.web.config.ts) into out/web.
import { build } from 'vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const webOut = path.join(root, 'out', 'web');

export async function buildWeb({ quiet = false } = {}) {
  await build({ configFile: path.join(root, 'vite.web.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  return webOut;
}
