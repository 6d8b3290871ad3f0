/**
 * The browser edition (`npm run web`, e2e tests): web/index.html is the page, web/main.ts the
 * composition root (LabApi over Web Workers) that mounts the renderer. Built into out/web.
 *
 * COOP/COEP headers make the page cross-origin isolated so SharedArrayBuffer (the stage-2 arena,
 * the MMU lock, RCU) works; scripts/serve.mjs sends the same headers for the built files.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  root: `${root}web`,
  base: './',
  publicDir: false,
  plugins: [svelte({ configFile: false })],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  worker: { format: 'es' },
  build: {
    outDir: `${root}out/web`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    // Build-time profiling notes are noise for `npm run web` / `npm start` users.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: { host: '127.0.0.1', headers: isolationHeaders, fs: { allow: [root] } },
  preview: { host: '127.0.0.1', headers: isolationHeaders },
});
