import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { SkiffError } from '../../repository/errors/errors.ts';

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked before each attempt; a string return aborts the wait with that reason. */
  abortIf?: () => string | undefined;
}

/**
 * Calls `probe` until it returns a value other than undefined, and returns that value.
 * Errors thrown by `probe` count as "not yet". Throws SkiffError Transient on timeout, with `what`
 * and the last probe error in the message.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, opts: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last = '';
  for (;;) {
    const reason = opts.abortIf?.();
    if (reason !== undefined) throw new SkiffError('Permanent', `gave up waiting for ${what}: ${reason}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new SkiffError('Transient', `timed out waiting for ${what}${last === '' ? '' : ` (last error: ${last})`}`);
    }
    await sleep(opts.intervalMs ?? 200);
  }
}

/** GET `url` over HTTPS trusting only `caFile`, with a bearer token; resolves to status and body. */
export async function httpsGet(url: string, caFile: string, token: string): Promise<{ status: number; body: string }> {
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
