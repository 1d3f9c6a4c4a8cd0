import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import test from 'ava';
import { S3Storage } from './s3-storage.ts';
import { randomId } from './storage.contract.ts';
import { uploadBody } from './upload-body.ts';

test('upload body: gives the bytes in order, a slice at a time, without copying them', async (t) => {
  const data = randomBytes(1024 * 1024 + 123);
  const slices: Buffer[] = [];
  for await (const s of uploadBody(data)) slices.push(s as Buffer);
  t.true(slices.length >= 4, `${slices.length} slices`);
  t.true(slices.every((s) => s.length <= 256 * 1024 && s.buffer === data.buffer), 'views of the caller\'s buffer');
  t.true(Buffer.concat(slices).equals(data));
  let none = 0;
  for await (const _ of uploadBody(Buffer.alloc(0))) none++;
  t.is(none, 0);
});

/**
 * A PUT that fails mid-body is retried by the storage with the whole body again: the SDK does not
 * retry a streamed request, so the storage's own retry must, with a fresh stream each attempt.
 */
test('s3 upload: a PUT cut off mid-body is retried with the whole body, and nothing is printed', async (t) => {
  const data = randomBytes(3 * 1024 * 1024 + 7);
  const md5 = createHash('md5').update(data).digest('base64');
  const puts: Array<{ bytes: number; md5: string | undefined; sha: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    if (req.method !== 'PUT') {
      res.writeHead(404).end(); // HEAD before the save: not there yet
      return;
    }
    const chunks: Buffer[] = [];
    const first = puts.length === 0;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      if (first && Buffer.concat(chunks).length > 512 * 1024) req.socket.destroy();
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      puts.push({ bytes: body.length, md5: req.headers['content-md5'] as string | undefined, sha: req.headers['x-amz-content-sha256'] as string | undefined });
      t.true(body.equals(data), 'the stored body is the whole object');
      res.writeHead(200, { etag: '"x"' }).end();
    });
    req.on('close', () => {
      if (first && puts.length === 0) puts.push({ bytes: -1, md5: undefined, sha: undefined });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const sleeps: number[] = [];
  const storage = new S3Storage({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'b',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts: 3,
    retry: { attempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
  });
  const printed: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args);
  t.teardown(async () => {
    console.warn = warn;
    await storage.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  await storage.save({ type: 'data', name: randomId() }, data);
  t.is(puts.length, 2, 'one cut-off PUT, one whole');
  t.is(puts[0]!.bytes, -1);
  t.is(sleeps.length, 1, 'the storage retried once');
  t.is(puts[1]!.bytes, data.length);
  t.is(puts[1]!.md5, md5, 'Content-MD5 covers the streamed bytes');
  t.is(puts[1]!.sha, 'UNSIGNED-PAYLOAD', 'the SDK did not hash the payload');
  t.deepEqual(printed, []);
});
