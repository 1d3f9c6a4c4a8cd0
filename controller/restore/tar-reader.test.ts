import { Readable } from 'node:stream';
import test from 'ava';
import { isCode } from '../../repository/index.ts';
import { readTar, type TarEntry } from '../backup/index.ts';
import { tarBuffer } from './testing/tarball.ts';

async function all(source: AsyncIterable<Buffer>): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const e of readTar(source)) out.push(e);
  return out;
}

/** The buffer as a stream of `size`-byte chunks. */
function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

test('reads regular files in order, whatever the chunking', async (t) => {
  const tar = tarBuffer([
    { path: 'metadata/version', data: '1.1.0\n' },
    { path: 'resources/pods/namespaces/app/web.json', data: '{"kind":"Pod"}' },
    { path: 'empty', data: '' },
    { path: 'big', data: Buffer.alloc(1500, 7) },
  ]);
  for (const size of [1, 7, 512, 100_000]) {
    const entries = await all(chunked(tar, size));
    t.deepEqual(
      entries.map((e) => e.path),
      ['metadata/version', 'resources/pods/namespaces/app/web.json', 'empty', 'big'],
    );
    t.is(entries[1]?.data.toString(), '{"kind":"Pod"}');
    t.is(entries[2]?.data.length, 0);
    t.true(entries[3]?.data.equals(Buffer.alloc(1500, 7)));
  }
});

test('pax path records and GNU long names replace the header name', async (t) => {
  const long = `resources/widgets.example.com/namespaces/app/${'w'.repeat(120)}.json`;
  const tar = tarBuffer([
    { path: long, data: 'a' },
    { path: '././@LongLink', data: `${long.replace('app', 'b')}\0`, type: 'L' },
    { path: 'truncated', data: 'b' },
    { path: 'after', data: 'c' },
  ]);
  const entries = await all(chunked(tar, 333));
  t.deepEqual(
    entries.map((e) => e.path),
    [long, long.replace('app', 'b'), 'after'],
  );
});

test('directories and links are skipped', async (t) => {
  const tar = tarBuffer([
    { path: 'resources/', data: '', type: '5' },
    { path: 'link', data: '', type: '2' },
    { path: 'file', data: 'x' },
  ]);
  t.deepEqual((await all(Readable.from([tar]))).map((e) => e.path), ['file']);
});

test('a damaged header is an Integrity error, not a skipped entry', async (t) => {
  const tar = tarBuffer([{ path: 'file', data: 'x' }]);
  tar[10] = 0x41;
  const err = await t.throwsAsync(all(Readable.from([tar])));
  t.true(isCode(err, 'Integrity'), String(err));
});

test('a truncated archive is an Integrity error', async (t) => {
  const tar = tarBuffer([{ path: 'file', data: Buffer.alloc(2000) }]);
  const err = await t.throwsAsync(all(Readable.from([tar.subarray(0, 1200)])));
  t.true(isCode(err, 'Integrity'), String(err));
});

test('entries over the size limit are refused', async (t) => {
  const tar = tarBuffer([{ path: 'file', data: Buffer.alloc(4096) }]);
  const it = readTar(Readable.from([tar]), { maxEntryBytes: 1024 });
  const err = await t.throwsAsync(it.next());
  t.true(isCode(err, 'Integrity'));
});
