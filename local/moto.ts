/**
 * moto_server, a real AWS API emulator, on a free loopback port: the one on PATH when its version
 * fits, else the project's own in a virtual environment (installed when missing); a message that
 * says what to do when neither can be had.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

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

/** The moto the project is tested with: a moto_server already there fits if it is of this major version. */
export const MOTO_PIN = '5.2.1';
const FITS = /^5\./;

const root = fileURLToPath(new URL('..', import.meta.url));
const VENV = `${root}.local/moto-venv`;

const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
const output = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
};
const motoVersion = (python: string) => output(python, ['-c', 'import moto; print(moto.__version__)']);

/**
 * Which moto_server to run: the one on PATH when its version fits (or cannot be told: it is what
 * the machine offers), else the project's own in `.local/moto-venv`, else install that one.
 */
export const chooseMoto = (found: {
  onPath: boolean;
  pathVersion?: string;
  venvVersion?: string;
}): 'path' | 'venv' | 'install' => {
  if (found.onPath && (found.pathVersion === undefined || FITS.test(found.pathVersion))) return 'path';
  if (found.venvVersion !== undefined && FITS.test(found.venvVersion)) return 'venv';
  return 'install';
};

/**
 * The moto_server command to run. Installing goes into a virtual environment under `.local/`
 * (pinned `moto[server]==MOTO_PIN`), never into the system Python, which Debian, Ubuntu and
 * Homebrew refuse (PEP 668).
 */
export const ensureMotoInstalled = (): string => {
  const onPath = runs('moto_server', ['--help']);
  const choice = chooseMoto({
    onPath,
    ...(onPath ? { pathVersion: motoVersion('python3') } : {}),
    ...(existsSync(`${VENV}/bin/python`) ? { venvVersion: motoVersion(`${VENV}/bin/python`) } : {}),
  });
  if (choice === 'path') return 'moto_server';
  const bin = `${VENV}/bin/moto_server`;
  if (choice === 'venv') return bin;
  const python = output('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  const [major, minor] = (python ?? '0.0').split('.').map(Number);
  const installed =
    (major as number) === 3 &&
    (minor as number) >= 9 &&
    spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' }).status === 0 &&
    spawnSync(`${VENV}/bin/python`, ['-m', 'pip', 'install', '--quiet', `moto[server]==${MOTO_PIN}`], {
      stdio: 'inherit',
    }).status === 0;
  if (!installed || !existsSync(bin)) {
    throw new Error(
      `moto_server (the AWS emulator the local run and integration tests use) is not on PATH and could not be installed into ${VENV}. ` +
        `Install Python 3.9+ with venv and pip, or install moto_server yourself (pipx install 'moto[server]==${MOTO_PIN}').`,
    );
  }
  return bin;
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
  const moto = ensureMotoInstalled();
  const port = await freePort();
  // A process group of its own: Ctrl-C on `npm start` reaches only the pipeline, which stops its
  // pollers before it stops moto (no ECONNREFUSED from a poller whose emulator died first). It
  // goes when this process exits, however it exits.
  const child = spawn(moto, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', detached: true });
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', killOnExit);
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
