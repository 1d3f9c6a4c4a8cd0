import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import test from 'ava';
import { startS3Server } from '../../test/support/s3-server.ts';
import type { EmbeddedS3 } from '../../test/support/s3-server.ts';
import { SkiffError } from '../errors/errors.ts';
import { buildS3Client } from './s3-client.ts';
import { S3Storage } from './s3-storage.ts';
import type { S3StorageOptions } from './s3-storage.ts';
import { randomId, runStorageContract } from './storage.contract.ts';

const BUCKET = 'skiff-test';
let server: EmbeddedS3 | undefined;
let counter = 0;

test.before(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
});
test.after.always(async () => {
  await server?.stop();
});

function s3(): EmbeddedS3 {
  if (server === undefined) throw new Error('s3rver not started');
  return server;
}

function options(extra: Partial<S3StorageOptions> = {}): S3StorageOptions {
  const srv = s3();
  return {
    endpoint: srv.endpoint,
    bucket: BUCKET,
    prefix: `t${process.pid}-${++counter}/repo`,
    credentials: { accessKeyId: srv.accessKeyId, secretAccessKey: srv.secretAccessKey },
    ...extra,
  };
}

function rawClient(): ReturnType<typeof buildS3Client> {
  const srv = s3();
  return buildS3Client({ endpoint: srv.endpoint, credentials: { accessKeyId: srv.accessKeyId, secretAccessKey: srv.secretAccessKey } });
}

runStorageContract(
  's3rver',
  async () => {
    const opts = options();
    const storage = new S3Storage(opts);
    const raw = rawClient();
    return {
      storage,
      putRaw: async (rel, data) => {
        await raw.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${opts.prefix}/${rel}`, Body: data }));
      },
      cleanup: async () => raw.destroy(),
    };
  },
  { large: true },
);

test('s3rver: object keys are <prefix>/<layout path>, bytes identical through a fresh client and on disk', async (t) => {
  const opts = options();
  const storage = new S3Storage(opts);
  const raw = rawClient();
  t.teardown(async () => {
    await storage.close();
    raw.destroy();
  });
  const id = randomId('9a');
  const data = randomBytes(12_000);
  await storage.save({ type: 'data', name: id }, data);
  const key = `${opts.prefix}/data/9a/${id}`;
  t.is(storage.key({ type: 'data', name: id }), key);
  const got = await raw.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), data);
  const onDisk = await readFile(path.join(s3().dir, BUCKET, ...key.split('/').slice(0, -1), `${id}._S3rver_object`));
  t.is(onDisk.length, data.length, 'no aws-chunked framing stored');
  t.deepEqual(onDisk, data);
});

test('s3rver: an empty prefix puts keys at the bucket root', (t) => {
  const storage = new S3Storage({ ...options(), prefix: '' });
  t.teardown(() => storage.close());
  t.is(storage.key({ type: 'config', name: '' }), 'config');
  t.is(storage.key({ type: 'index', name: 'ab'.repeat(32) }), `index/${'ab'.repeat(32)}`);
  t.is(storage.location, `s3:${s3().endpoint}/${BUCKET}`);
});

test('s3rver: listing pages through continuation tokens (needs the OpenSSL legacy provider)', async (t) => {
  const storage = new S3Storage(options({ listPageSize: 2 }));
  t.teardown(() => storage.close());
  const names = Array.from({ length: 7 }, () => randomId());
  for (const name of names) await storage.save({ type: 'snapshot', name }, Buffer.from(name));
  const packs = Array.from({ length: 5 }, (_, i) => randomId(`0${i}`));
  for (const name of packs) await storage.save({ type: 'data', name }, Buffer.from(name));
  const listed: string[] = [];
  for await (const x of storage.list('snapshot')) listed.push(x.name);
  t.deepEqual(listed.sort(), names.sort());
  const listedPacks: string[] = [];
  for await (const x of storage.list('data')) listedPacks.push(x.name);
  t.deepEqual(listedPacks.sort(), packs.sort());
});

test('s3rver: an unknown access key is Auth, naming endpoint and bucket but not the secret', async (t) => {
  const storage = new S3Storage(options({
    credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'very-secret-value' },
    retry: false,
    maxAttempts: 1,
  }));
  t.teardown(() => storage.close());
  const err = await t.throwsAsync(storage.stat({ type: 'config', name: '' }), { instanceOf: SkiffError });
  t.is(err?.code, 'Auth', err?.message);
  t.true(err?.message.includes(s3().endpoint) && err.message.includes(BUCKET), err?.message);
  t.false(err?.message.includes('very-secret-value'));
  const err2 = await t.throwsAsync(storage.create(), { instanceOf: SkiffError });
  t.is(err2?.code, 'Auth', err2?.message);
});

test('s3rver: does not verify SigV4 signatures, so a wrong secret with the right key is accepted', async (t) => {
  // documents the limits of the embedded server: wrong secrets are only caught by real S3 / Swift
  const storage = new S3Storage(options({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' } }));
  t.teardown(() => storage.close());
  await t.notThrowsAsync(storage.save({ type: 'key', name: randomId() }, Buffer.from('k')));
});

test('s3rver: a missing bucket is Config for create and for reads', async (t) => {
  const storage = new S3Storage(options({ bucket: 'no-such-bucket', retry: false }));
  t.teardown(() => storage.close());
  const err = await t.throwsAsync(storage.create(), { instanceOf: SkiffError });
  t.is(err?.code, 'Config');
  t.is(err?.message, `bucket no-such-bucket does not exist at ${s3().endpoint}`);
  const err2 = await t.throwsAsync(storage.load({ type: 'config', name: '' }), { instanceOf: SkiffError });
  t.is(err2?.code, 'Config', err2?.message);
});

test('s3rver: create makes a missing bucket when asked to', async (t) => {
  const bucket = `made-${process.pid}-${++counter}`;
  const storage = new S3Storage(options({ bucket, createBucket: true }));
  t.teardown(() => storage.close());
  await storage.create();
  await storage.save({ type: 'config', name: '' }, Buffer.from('cfg'));
  t.is((await storage.load({ type: 'config', name: '' })).toString(), 'cfg');
});

test('s3rver: an unreachable endpoint is Transient with a clear message, quickly', async (t) => {
  const port = await closedPort();
  const sleeps: number[] = [];
  const storage = new S3Storage({
    ...options(),
    endpoint: `http://127.0.0.1:${port}`,
    maxAttempts: 1,
    connectTimeoutMs: 1000,
    retry: { attempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
  t.teardown(() => storage.close());
  const started = Date.now();
  const err = await t.throwsAsync(storage.load({ type: 'config', name: '' }), { instanceOf: SkiffError });
  t.is(err?.code, 'Transient');
  t.is(err?.message, `cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  t.deepEqual(sleeps, [125, 250], 'retried twice with backoff');
  t.true(Date.now() - started < 3000);
});

test('s3rver: Content-MD5 is sent on DeleteObjects and multipart parts', async (t) => {
  const opts = options({ multipartThreshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 });
  const storage = new S3Storage(opts);
  const raw = rawClient();
  t.teardown(async () => {
    await storage.close();
    raw.destroy();
  });
  const seen: Array<{ command: string; md5: string | undefined }> = [];
  const capture = (client: typeof raw.client): void => {
    client.middlewareStack.add((next, context) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      seen.push({ command: context.commandName ?? '', md5: headers['content-md5'] ?? headers['Content-MD5'] });
      return next(args);
    }, { step: 'finalizeRequest', name: 'capture' });
  };
  capture(raw.client);
  capture(await (storage as unknown as { client(): Promise<typeof raw.client> }).client());
  await storage.save({ type: 'data', name: randomId() }, randomBytes(7 * 1024 * 1024));
  await raw.client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: `${opts.prefix}/nothing` }] } }));
  const byCommand = (c: string): Array<string | undefined> => seen.filter((s) => s.command === c).map((s) => s.md5);
  t.is(byCommand('UploadPartCommand').length, 2);
  t.true(byCommand('UploadPartCommand').every((m) => typeof m === 'string' && m.length === 24));
  t.is(byCommand('DeleteObjectsCommand').length, 1);
  t.regex(byCommand('DeleteObjectsCommand')[0] ?? '', /^[A-Za-z0-9+/]{22}==$/);
});

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
