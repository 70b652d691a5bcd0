/**
 * moto_server, a real AWS API emulator, on a free loopback port. Installs it with pip when it is
 * missing; fails with a message that says what to do when it cannot.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const hasMoto = () => spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

export const ensureMotoInstalled = (): void => {
  if (hasMoto()) return;
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]'], { stdio: 'inherit' });
  if (pip.status !== 0 || !hasMoto()) {
    throw new Error(
      "moto_server (the AWS emulator the local run and integration tests use) is not installed and `pip install 'moto[server]'` failed. " +
        "Install it with `python3 -m pip install 'moto[server]'` (Python 3.9+) and make sure `moto_server` is on PATH.",
    );
  }
};

const waitUntilUp = async (endpoint: string, child: ChildProcess, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
};

export const startMoto = async (): Promise<MotoServer> => {
  ensureMotoInstalled();
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

/** The variables that point every AWS SDK v3 client in this process at moto. */
export const motoEnvironment = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});
