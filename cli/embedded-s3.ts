import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running s3rver (https://github.com/jamhall/s3rver 3.7.1) on 127.0.0.1, path-style, no TLS. */
export interface EmbeddedS3 {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** where s3rver keeps the objects: `<dir>/<bucket>/<key>._S3rver_object` */
  readonly dir: string;
  /** stops the server and removes `dir` (unless it was passed in) */
  stop(): Promise<void>;
}

export interface EmbeddedS3Options {
  /** buckets to create at start */
  readonly buckets?: readonly string[];
  /** object directory; default a fresh temp dir that `stop()` removes */
  readonly dir?: string;
  /** default 0: any free port */
  readonly port?: number;
  /** default 20 s */
  readonly startTimeoutMs?: number;
}

const CHILD = fileURLToPath(new URL('./embedded-s3-child.ts', import.meta.url));

/**
 * Starts s3rver in a child process (it needs `--openssl-legacy-provider`, which cannot be switched
 * on inside a running process). s3rver accepts only the access key S3RVER and does not check
 * SigV4 signatures, so any secret works with that key.
 */
export async function startEmbeddedS3(opts: EmbeddedS3Options = {}): Promise<EmbeddedS3> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'skiff-s3rver-')));
  const cfg = { directory: dir, buckets: opts.buckets ?? [], port: opts.port ?? 0 };
  const child = spawn(process.execPath, ['--openssl-legacy-provider', CHILD, JSON.stringify(cfg)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('s3rver did not start in time')), opts.startTimeoutMs ?? 20_000);
      child.once('message', (m: { ready?: boolean; port?: number }) => {
        clearTimeout(timer);
        if (m.ready === true && typeof m.port === 'number') resolve(m.port);
        else reject(new Error('s3rver sent an unexpected message'));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited during start (code ${code}, signal ${signal}): ${stderr.trim()}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  // the server must not keep the parent alive on its own
  child.unref();
  child.channel?.unref();

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    dir,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        if (ownDir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
