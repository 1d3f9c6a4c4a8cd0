/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 server that misbehaves on a seeded fraction of
 * requests: resets the connection before answering, resets it in the middle of a response body,
 * delays, or answers 500/503 with an S3 error document. For fault-tolerance tests only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyProxyOptions {
  readonly upstream: string;
  /** fraction of requests that get a fault, 0..1 */
  readonly failRate: number;
  readonly seed?: number;
}

export interface FlakyProxy {
  readonly endpoint: string;
  readonly stats: { requests: number; resets: number; midBody: number; errors5xx: number; delays: number };
  stop(): Promise<void>;
}

export async function startFlakyProxy(o: FlakyProxyOptions): Promise<FlakyProxy> {
  const up = new URL(o.upstream);
  let state = o.seed ?? 1;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const stats = { requests: 0, resets: 0, midBody: 0, errors5xx: 0, delays: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const server = http.createServer((req, res) => {
    stats.requests++;
    const fault = random() < o.failRate ? Math.floor(random() * 4) : -1;
    if (fault === 0) {
      stats.resets++;
      req.socket.destroy();
      return;
    }
    if (fault === 1) {
      stats.errors5xx++;
      const code = random() < 0.5 ? 500 : 503;
      const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code === 503 ? 'SlowDown' : 'InternalError'}</Code><Message>injected</Message></Error>`;
      req.resume();
      req.on('end', () => res.writeHead(code, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body));
      return;
    }
    const forward = () => {
      const preq = http.request(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers, agent },
        (pres) => {
          res.writeHead(pres.statusCode ?? 502, pres.headers);
          if (fault === 2 && Number(pres.headers['content-length'] ?? 0) > 64) {
            stats.midBody++;
            pres.once('data', (chunk: Buffer) => {
              res.write(chunk.subarray(0, Math.floor(chunk.length / 2)));
              res.socket?.destroy();
              pres.destroy();
            });
            return;
          }
          pres.pipe(res);
        },
      );
      preq.on('error', () => res.socket?.destroy());
      req.pipe(preq);
    };
    if (fault === 3) {
      stats.delays++;
      setTimeout(forward, 50 + Math.floor(random() * 300));
    } else forward();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}
