/**
 * Fetching a backup's or restore's files through a DownloadRequest: create the request, wait
 * for the server to set status.downloadURL (a pre-signed URL), GET it, delete the request.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { API_VERSION, type DownloadRequest, type DownloadTargetKind, PLURALS } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient } from './client.ts';
import { type ClusterContext, pollFor } from './context.ts';

export interface FetchOptions {
  timeoutMs: number;
  /** PEM bundle to trust for an https URL. */
  caCert?: Buffer;
  insecureSkipTLSVerify?: boolean;
}

/** GET `url` into memory; 404 → NotFound, other failures → Transient. The URL is never printed (it is a credential). */
export async function httpGet(url: string, what: string, o: FetchOptions): Promise<Buffer> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const tls = u.protocol === 'https:' ? { ...(o.caCert ? { ca: o.caCert } : {}), rejectUnauthorized: o.insecureSkipTLSVerify !== true } : {};
  return new Promise((resolve, reject) => {
    const req = mod.get(u, { timeout: o.timeoutMs, ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', (err) => reject(new SkiffError('Transient', `downloading ${what}: ${err.message}`, { cause: err })));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status === 200) resolve(Buffer.concat(chunks));
        else if (status === 404) reject(new SkiffError('NotFound', `${what} was not found in object storage`));
        else reject(new SkiffError('Transient', `downloading ${what}: HTTP ${status} from ${u.host}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(new SkiffError('Transient', `downloading ${what} from ${u.host}: ${err.message}`, { cause: err })));
  });
}

/** Creates a DownloadRequest for `target`, waits for its URL, and returns the file's bytes. */
export async function downloadTarget(
  ctx: ClusterContext,
  c: ClusterClient,
  target: { kind: DownloadTargetKind; name: string },
  o: FetchOptions,
): Promise<Buffer> {
  const name = `${target.name}-${randomBytes(4).toString('hex')}`.slice(-63).replace(/^[^a-z0-9]+/, '');
  const req: DownloadRequest = {
    apiVersion: API_VERSION,
    kind: 'DownloadRequest',
    metadata: { name, namespace: c.namespace },
    spec: { target },
  };
  const what = `${target.kind} of ${target.name}`;
  await c.create(PLURALS.DownloadRequest, req);
  try {
    const url = await pollFor(
      ctx,
      `the server to process download request ${name} (is skiff server running?)`,
      async () => {
        const cur = await c.get<DownloadRequest>(PLURALS.DownloadRequest, name);
        const u = cur?.status?.downloadURL;
        if (u !== undefined && u !== '') return u;
        if (cur?.status?.phase === 'Processed') throw new SkiffError('NotFound', `${what}: the server found nothing to download`);
        return undefined;
      },
      o.timeoutMs,
    );
    return await httpGet(url, what, o);
  } finally {
    await c.delete(PLURALS.DownloadRequest, name).catch(() => undefined);
  }
}
