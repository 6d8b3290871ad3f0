// `npm run web`: build the browser edition into out/web and serve it on 127.0.0.1 with COOP/COEP.
// PORT env chooses the port (default 5173; a busy port falls back to a free one). `--no-build` serves
// the existing build.
import { buildWeb, webOut } from './buildWeb.mjs';
import { serveStatic } from './serve.mjs';

export async function runWeb({ build = true } = {}) {
  if (build) {
    await buildWeb({ quiet: true });
    console.log(`Built the browser edition into ${webOut}`);
  }
  const port = process.env.PORT ? Number(process.env.PORT) : 5173;
  const { url } = await serveStatic(webOut, { port });
  console.log(`Overcommit Lab (browser edition) at ${url}`);
  console.log('Press Ctrl+C to stop.');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runWeb({ build: !process.argv.includes('--no-build') }).catch((e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  });
}
