import http from 'node:http';
import type net from 'node:net';
import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { S3Storage } from './s3-storage.ts';
import { randomId } from './storage.contract.ts';

/** A server that answers every GET the way `answer` says, like a faulty S3 endpoint would. */
async function faultyServer(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<{ storage: S3Storage; close(): Promise<void> }> {
  const server = http.createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const storage = new S3Storage({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'b',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    retry: false,
    maxAttempts: 1,
  });
  return {
    storage,
    close: async () => {
      await storage.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const h = { type: 'data', name: randomId() } as const;

test('s3 body: a response cut off mid-body is Transient for loadInto and load', async (t) => {
  const s = await faultyServer((_req, res) => {
    res.writeHead(206, { 'content-length': '1000', 'content-range': 'bytes 0-999/5000' });
    res.write(Buffer.alloc(400, 1));
    setTimeout(() => res.socket?.destroy(), 20);
  });
  t.teardown(() => s.close());
  const e1 = await t.throwsAsync(s.storage.loadInto(h, new Uint8Array(1000)), { instanceOf: SkiffError });
  t.is(e1?.code, 'Transient', e1?.message);
  const e2 = await t.throwsAsync(s.storage.load(h, { offset: 0, length: 1000 }), { instanceOf: SkiffError });
  t.is(e2?.code, 'Transient', e2?.message);
});

test('s3 body: a server that ignores the range and sends the whole object is refused, not copied past the buffer', async (t) => {
  const s = await faultyServer((_req, res) => {
    res.writeHead(200, { 'content-length': '5000' });
    res.end(Buffer.alloc(5000, 2));
  });
  t.teardown(() => s.close());
  const into = new Uint8Array(new ArrayBuffer(200), 50, 100);
  const err = await t.throwsAsync(s.storage.loadInto(h, into, { offset: 10 }), { instanceOf: SkiffError });
  t.is(err?.code, 'Permanent');
  t.regex(err?.message ?? '', /more than the 100 bytes asked for/);
  t.true(new Uint8Array(into.buffer, 150).every((b) => b === 0), 'nothing written past the view');
});

test('s3 body: fewer bytes than asked for (the object ends inside the range) is Integrity', async (t) => {
  const s = await faultyServer((_req, res) => {
    res.writeHead(206, { 'content-length': '30', 'content-range': 'bytes 70-99/100' });
    res.end(Buffer.alloc(30, 3));
  });
  t.teardown(() => s.close());
  const err = await t.throwsAsync(s.storage.loadInto(h, new Uint8Array(50), { offset: 70 }), { instanceOf: SkiffError });
  t.is(err?.code, 'Integrity');
  t.is(err?.message, `short read of data/${h.name.slice(0, 2)}/${h.name}: wanted 50 bytes, got 30`);
});
