// `npm start`: the Electron app when its runtime is installed, else the browser edition.
// "Installed" = node_modules/electron/path.txt exists and names a binary that exists. We never
// require('electron') here: that tries to download the binary.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './buildWeb.mjs';
import { runWeb } from './web.mjs';

function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

async function main() {
  if (electronBinary()) {
    const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    await run(process.execPath, [cli, 'build']);
    await run(process.execPath, [cli, 'preview']);
    return;
  }
  console.log(
    "Electron runtime not installed (its binary can't be downloaded here); serving the browser edition instead.",
  );
  await runWeb();
}

main().catch((e) => {
  console.error(e?.message ?? e);
  process.exit(1);
});
