/** Test helper: runs the `skiff` command in-process and captures its output. */
import { Writable } from 'node:stream';
import { main } from '../../main.ts';

export interface SkiffRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `skiff <args>` with env (default: SKIFF_POLL_MS=100 and no inherited KUBECONFIG). */
export async function runSkiff(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<SkiffRun> {
  const out = sink();
  const err = sink();
  const code = await main(args, {
    env: { SKIFF_POLL_MS: '100', HOME: process.env['HOME'], PATH: process.env['PATH'], ...env },
    stdout: out.stream,
    stderr: err.stream,
    ...(cwd !== undefined ? { cwd } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
