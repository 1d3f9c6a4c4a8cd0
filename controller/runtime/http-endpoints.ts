import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errText } from './informer.ts';
import type { ServerMetrics } from './metrics.ts';
import type { Logger } from './types.ts';

export interface RouteAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export type Routes = Record<string, () => RouteAnswer | Promise<RouteAnswer>>;

export interface HttpEndpoint {
  /** e.g. `http://127.0.0.1:40123` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A check: ok, or not with a one-line reason. */
export type Check = () => { ok: true } | { ok: false; reason: string };

/** `/healthz` (liveness) and `/readyz` (readiness): 200 `ok`, or 503 with the reason. */
export function healthRoutes(checks: { live: Check; ready: Check }): Routes {
  const answer = (c: Check): RouteAnswer => {
    const r = c();
    return r.ok ? { status: 200, body: 'ok\n' } : { status: 503, body: `${r.reason}\n` };
  };
  return { '/healthz': () => answer(checks.live), '/readyz': () => answer(checks.ready) };
}

/** `/metrics` in the Prometheus text format. */
export function metricsRoutes(metrics: ServerMetrics): Routes {
  return {
    '/metrics': async () => {
      const t = await metrics.text();
      return { status: 200, body: t.body, contentType: t.contentType };
    },
  };
}

/**
 * Serves GET routes on host:port (port 0 = any free port). Unknown paths answer 404, other methods
 * 405. `close()` stops listening and ends open connections.
 */
export async function serveHttp(opts: { host: string; port: number; routes: Routes; log: Logger }): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    const route = opts.routes[path];
    if (route === undefined) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET' }).end();
    Promise.resolve()
      .then(route)
      .then(
        (a) => res.writeHead(a.status, { 'content-type': a.contentType ?? 'text/plain; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : a.body),
        (err: unknown) => {
          opts.log.error({ path, err: errText(err) }, 'endpoint failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error\n');
        },
      );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host === '0.0.0.0' || opts.host === '::' || opts.host === '' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parses `host:port`, `:port` (all interfaces) or `port`; throws on anything else. */
export function parseListenAddress(s: string): { host: string; port: number } {
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d+)$/.exec(s.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid listen address ${s}: want host:port or :port`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
