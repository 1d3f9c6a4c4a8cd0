/**
 * s3rver over HTTPS for the benchmark (cli/embedded-s3-child.ts speaks plain HTTP, where restic's
 * S3 client streams aws-chunked bodies that s3rver stores verbatim; over TLS it sends plain ones).
 * Runs under `node --openssl-legacy-provider` (s3rver's DES continuation tokens).
 * argv[2]: JSON { directory, buckets, key, cert } (key and cert are PEM file paths). Reports
 * { ready, port } over IPC once listening; exits when the parent goes away.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverInstance;

const cfg = JSON.parse(process.argv[2] ?? '{}') as { directory: string; buckets: string[]; key: string; cert: string };
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: cfg.directory,
  configureBuckets: cfg.buckets.map((name) => ({ name })),
  key: readFileSync(cfg.key),
  cert: readFileSync(cfg.cert),
});

const { port } = await server.run();
process.send?.({ ready: true, port });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
