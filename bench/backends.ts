/**
 * Where benchmark repositories live: a local directory, or the embedded S3 server (s3rver in a
 * child process, over HTTPS), one prefix per run. Sizes are what the backend stores.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Backend {
  readonly name: 'local' | 's3';
  readonly env: NodeJS.ProcessEnv;
  /** global flags both CLIs take for this backend (e.g. --cacert) */
  readonly args: readonly string[];
  url(run: string): string;
  /** bytes stored for this run's repository */
  size(run: string): number;
  remove(run: string): void;
  stop(): Promise<void>;
}

/** Sum of file sizes under `dir` whose names pass `keep`. */
export function treeBytes(dir: string, keep: (name: string) => boolean = () => true): number {
  let sum = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sum += treeBytes(p, keep);
    else if (e.isFile() && keep(e.name)) sum += statSync(p).size;
  }
  return sum;
}

export function localBackend(root: string): Backend {
  const dir = (run: string) => path.join(root, 'repos', run);
  return {
    name: 'local',
    env: {},
    args: [],
    url: dir,
    size: (run) => treeBytes(dir(run)),
    remove: (run) => rmSync(dir(run), { recursive: true, force: true }),
    stop: async () => undefined,
  };
}

const BUCKET = 'bench';
const CHILD = fileURLToPath(new URL('./s3-child.ts', import.meta.url));

/**
 * s3rver (the embedded S3 server Skiff's demo and tests use) in a child process, over HTTPS with a
 * throw-away self-signed certificate: restic's S3 client only sends plain request bodies over
 * TLS. Both tools get the certificate with --cacert.
 */
export async function s3Backend(root: string): Promise<Backend> {
  const dir = path.join(root, 's3rver');
  const tls = path.join(root, 's3-tls');
  mkdirSync(dir, { recursive: true });
  mkdirSync(tls, { recursive: true });
  const key = path.join(tls, 'key.pem');
  const cert = path.join(tls, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, JSON.stringify({ directory: dir, buckets: [BUCKET], key, cert })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('s3rver did not start in time')), 30_000);
    child.once('message', (m: { port?: number }) => {
      clearTimeout(timer);
      if (typeof m.port === 'number') resolve(m.port);
      else reject(new Error('s3rver sent an unexpected message'));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  const objects = (run: string) => path.join(dir, BUCKET, run);
  return {
    name: 's3',
    env: { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: 'us-east-1' },
    args: ['--cacert', cert],
    url: (run) => `s3:https://127.0.0.1:${port}/${BUCKET}/${run}`,
    size: (run) => treeBytes(objects(run), (n) => n.endsWith('._S3rver_object')),
    remove: (run) => rmSync(objects(run), { recursive: true, force: true }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(tls, { recursive: true, force: true });
    },
  };
}
