/**
 * Child process running s3rver for `startEmbeddedS3` (see embedded-s3.ts).
 * Must run under `node --openssl-legacy-provider`: s3rver encrypts ListObjectsV2 continuation tokens
 * with DES, and without the legacy provider every paginated listing fails.
 * argv[2]: JSON { directory, buckets, port }. Reports { port } over IPC once listening; exits when
 * the parent goes away.
 */
import { createRequire } from 'node:module';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (opts: Record<string, unknown>) => S3rverInstance;

const cfg = JSON.parse(process.argv[2] ?? '{}') as { directory: string; buckets: string[]; port: number };
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
const server = new S3rver({
  address: '127.0.0.1',
  port: cfg.port,
  silent: true,
  directory: cfg.directory,
  configureBuckets: cfg.buckets.map((name) => ({ name })),
});

const { port } = await server.run();
process.send?.({ ready: true, port });
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
});
