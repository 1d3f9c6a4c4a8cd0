import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { SkiffError } from '../../repository/errors/errors.ts';
import { KubeApiError, apiErrorFromNetwork, apiErrorFromStatus, type KubeStatus } from './api-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  method: HttpMethod;
  /** absolute API path, e.g. `/apis/apps/v1/namespaces/x/deployments` */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** serialized as JSON */
  body?: unknown;
  /** default `application/json` */
  contentType?: string;
  signal?: AbortSignal;
  /** whole-request timeout for JSON requests, idle timeout for streams; default 30 s */
  timeoutMs?: number;
}

export interface RestClientOptions {
  /** default request timeout, 30 s */
  timeoutMs?: number;
  /** extra attempts for GETs that fail Transient (network, 429, 5xx); default 2 */
  getRetries?: number;
}

/**
 * A thin JSON-over-HTTPS client for the Kubernetes API, authenticated from a KubeConfig
 * (certificates, bearer tokens, token files and exec plugins through client-node). Every failure is a
 * KubeApiError; GETs are retried on Transient failures, writes never are.
 */
export class RestClient {
  /** the API server URL, for messages */
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly getRetries: number;

  constructor(kc: KubeConfig, opts: RestClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (cluster === null) throw new SkiffError('Config', 'the Kubernetes configuration has no current cluster');
    this.kc = kc;
    this.server = cluster.server;
    this.base = new URL(cluster.server);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.getRetries = opts.getRetries ?? 2;
  }

  /** Sends a request and parses the JSON answer. Throws KubeApiError for any non-2xx answer. */
  async json<T>(req: RestRequest): Promise<T> {
    const attempts = req.method === 'GET' ? this.getRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once<T>(req);
      } catch (err) {
        const retry = err instanceof KubeApiError && err.code === 'Transient' && err.status !== 410 && attempt < attempts;
        if (!retry || req.signal?.aborted === true) throw err;
        await sleep(250 * 2 ** (attempt - 1), undefined, req.signal === undefined ? {} : { signal: req.signal }).catch(() => undefined);
      }
    }
  }

  /**
   * Opens a streaming GET (watch). Resolves with the response once the status is 2xx; the caller
   * reads and destroys it. The idle timeout (`timeoutMs`) destroys the stream with an error.
   */
  async stream(req: RestRequest): Promise<http.IncomingMessage> {
    const what = `${req.method} ${req.path}`;
    const res = await this.send(req, 'idle');
    if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) return res;
    throw await this.errorFrom(what, res);
  }

  private async once<T>(req: RestRequest): Promise<T> {
    const what = `${req.method} ${req.path}`;
    const res = await this.send(req, 'total');
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw await this.errorFrom(what, res);
    let text: string;
    try {
      text = await readAll(res);
    } catch (err) {
      throw apiErrorFromNetwork(what, this.server, err);
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new KubeApiError('Permanent', `${what}: the API server answered with invalid JSON`, { status, cause: err });
    }
  }

  private async send(req: RestRequest, timeout: 'total' | 'idle'): Promise<http.IncomingMessage> {
    const what = `${req.method} ${req.path}`;
    const url = this.url(req.path, req.query);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'skiff' };
    if (body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(body.length);
    }
    const opts: https.RequestOptions = { method: req.method, headers };
    try {
      await this.kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubeApiError('Config', `${what}: cannot authenticate to ${this.server}: ${(err as Error).message}`, { cause: err });
    }
    const ms = req.timeoutMs ?? this.timeoutMs;
    const signals = [req.signal, timeout === 'total' ? AbortSignal.timeout(ms) : undefined].filter((s) => s !== undefined);
    if (signals.length > 0) opts.signal = AbortSignal.any(signals);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const r = mod.request(url, opts, resolve);
      r.on('error', (err) => {
        const timedOut = timeout === 'total' && req.signal?.aborted !== true && opts.signal?.aborted === true;
        reject(timedOut ? new KubeApiError('Transient', `${what}: no answer from ${this.server} within ${ms} ms`, { cause: err }) : apiErrorFromNetwork(what, this.server, err));
      });
      if (timeout === 'idle') r.setTimeout(ms, () => r.destroy(Object.assign(new Error(`idle for ${ms} ms`), { code: 'ETIMEDOUT' })));
      r.end(body);
    });
  }

  private async errorFrom(what: string, res: http.IncomingMessage): Promise<KubeApiError> {
    const status = res.statusCode ?? 0;
    let parsed: KubeStatus | undefined;
    try {
      const text = await readAll(res);
      parsed = JSON.parse(text) as KubeStatus;
    } catch {
      parsed = undefined;
    }
    return apiErrorFromStatus(what, status, parsed);
  }

  private url(p: string, query: RestRequest['query']): URL {
    const url = new URL(this.base.toString());
    url.pathname = `${this.base.pathname.replace(/\/$/, '')}${p}`;
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
