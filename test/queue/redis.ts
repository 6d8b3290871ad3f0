/**
 * A real redis-server for the tests that need one (distributed sweeps on BullMQ).
 *
 * ensureRedisServer: on a fresh machine (CI runs as root on Debian) installs Debian's redis-server
 * with apt-get (update first) when the binary is missing. startRedis: starts it on 127.0.0.1 with a
 * free port chosen by the OS, no persistence, and the eviction policy BullMQ needs (noeviction);
 * resolves once it accepts connections. stop() ends exactly that process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

function findRedis(): string | undefined {
  if (process.env.REDIS_SERVER && existsSync(process.env.REDIS_SERVER)) return process.env.REDIS_SERVER;
  return CANDIDATES.find((p) => existsSync(p));
}

export function ensureRedisServer(): string {
  const found = findRedis();
  if (found) return found;
  console.log('redis-server not found: installing Debian redis-server with apt-get');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
    const r = spawnSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status}); install redis-server or set REDIS_SERVER`);
  }
  const installed = findRedis();
  if (!installed) throw new Error('redis-server installed but not found; set REDIS_SERVER');
  return installed;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = ensureRedisServer();
  // A port taken between freePort() and redis' bind fails the start: try a few ports.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      bin,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const ready = await new Promise<boolean>((resolve) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve(true);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', () => resolve(false));
      setTimeout(() => resolve(false), 10_000);
    });
    if (ready) {
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    }
    child.kill('SIGKILL');
    if (attempt >= 3) throw new Error('redis-server did not start (4 attempts)');
  }
}
