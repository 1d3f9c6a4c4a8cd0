import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { newMasterKey, open, seal, sha256, sha256Hex, type MasterKey } from '../crypto/index.ts';
import { sealWithNonce } from '../crypto/seal.ts';
import { VECTOR, vectorKey } from '../crypto/test-vectors.ts';
import {
  decodePackHeader,
  encodePackHeader,
  headerEntrySize,
  packSize,
  type BlobType,
  type PackedBlob,
} from './pack-header.ts';
import { assemblePackTail, readPackHeader } from './pack-tail.ts';

const BLOB_ID = 'c81bd3710052dbc643cdfa3ccaba4ca83b808d82fd605bee0b86e34e75a72f25';

function reader(pack: Buffer, key: MasterKey, reads: [number, number][] = []) {
  return {
    key,
    size: pack.length,
    version: 2 as const,
    loadRange: async (offset: number, length: number) => {
      reads.push([offset, length]);
      return pack.subarray(offset, offset + length);
    },
  };
}

test('§12 data pack: 46 + 69 + 4 = 119 bytes, header plaintext 00 2e000000 c81b…', async (t) => {
  const key = vectorKey();
  const plain = Buffer.from(VECTOR.plaintext);
  t.is(sha256Hex(plain), BLOB_ID);
  const blob = sealWithNonce(key, Buffer.from(VECTOR.nonce, 'hex'), plain);
  const entries: PackedBlob[] = [
    { id: sha256(plain), type: 'data', offset: 0, length: blob.length, uncompressedLength: 0 },
  ];
  t.is(encodePackHeader(entries).toString('hex'), '002e000000' + BLOB_ID);
  const pack = Buffer.concat([blob, assemblePackTail(key, entries)]);
  t.is(pack.length, 119);
  t.is(packSize(entries), 119);
  t.is(pack.subarray(115).toString('hex'), '45000000');
  t.is(open(key, pack.subarray(46, 115)).toString('hex'), '002e000000' + BLOB_ID);
  t.is(pack.subarray(0, 46).toString('hex'), VECTOR.nonce + VECTOR.ciphertext + VECTOR.tag);
  const read = await readPackHeader(reader(pack, key));
  t.deepEqual(read, entries);
});

test('§12 tree pack sizes: 391 + 69 + 4 = 464, header type byte 01', (t) => {
  const tree = Buffer.from(
    '{"nodes":[{"name":"hello.txt","type":"file","mode":420,"mtime":"2024-01-02T03:04:05.123456789Z",' +
      '"atime":"2024-01-02T03:04:05.123456789Z","ctime":"2024-01-02T03:04:05.123456789Z","uid":1000,' +
      '"gid":1000,"user":"spec","group":"spec","inode":42,"device_id":2049,"size":14,"links":1,' +
      `"content":["${BLOB_ID}"]}]}\n`,
  );
  t.is(tree.length, 359);
  t.is(sha256Hex(tree), 'c7dbb857a76e21a76ba5e712f68bd00886c92e446a8a859a77350e46dd23322b');
  const key = vectorKey();
  const sealed = seal(key, tree);
  const entries: PackedBlob[] = [{ id: sha256(tree), type: 'tree', offset: 0, length: 391, uncompressedLength: 0 }];
  t.is(sealed.length, 391);
  t.is(encodePackHeader(entries)[0], 1);
  t.is(packSize(entries), 464);
  t.is(sealed.length + assemblePackTail(key, entries).length, 464);
});

function entriesOfAllTypes(): PackedBlob[] {
  const kinds: [BlobType, number][] = [['data', 0], ['tree', 0], ['data', 5000], ['tree', 70_000], ['data', 0]];
  let offset = 0;
  return kinds.map(([type, uncompressedLength], i) => {
    const length = 32 + 100 * (i + 1);
    const b = { id: randomBytes(32), type, offset, length, uncompressedLength };
    offset += length;
    return b;
  });
}

test('header round trip for all four types, entry sizes 37/41', (t) => {
  const entries = entriesOfAllTypes();
  const plain = encodePackHeader(entries);
  t.is(plain.length, 37 * 3 + 41 * 2);
  t.deepEqual(decodePackHeader(plain, 2), entries);
  t.is(headerEntrySize(false), 37);
  t.is(headerEntrySize(true), 41);
  t.is(packSize(entries), 36 + entries.reduce((s, b) => s + b.length, 0) + 3 * 37 + 2 * 41);
  const types = [];
  for (let pos = 0; pos < plain.length; pos += plain[pos]! >= 2 ? 41 : 37) types.push(plain[pos]);
  t.deepEqual(types, [0, 1, 2, 3, 0]);
});

test('decodePackHeader rejects bad type bytes, v1 compressed types, truncation, tiny lengths', (t) => {
  const entries = entriesOfAllTypes();
  const plain = encodePackHeader(entries);
  const check = (buf: Buffer, version: 1 | 2, re: RegExp): void => {
    const err = t.throws(() => decodePackHeader(buf, version));
    t.true(isCode(err, 'Integrity'));
    t.regex(err!.message, re);
  };
  const badType = Buffer.from(plain);
  badType[0] = 4;
  check(badType, 2, /type byte 4/);
  check(plain, 1, /version 1/);
  check(plain.subarray(0, plain.length - 1), 2, /truncated/);
  check(Buffer.concat([plain, Buffer.from([0])]), 2, /truncated/);
  const small = Buffer.from(plain);
  small.writeUInt32LE(31, 1);
  check(small, 2, /blob length 31/);
  const zeroU = encodePackHeader([entries[2]!].map((b) => ({ ...b, offset: 0 })));
  zeroU.writeUInt32LE(0, 5);
  check(zeroU, 2, /uncompressed length 0/);
  t.deepEqual(decodePackHeader(encodePackHeader([entries[0]!, entries[1]!]), 1), [entries[0], entries[1]]);
});

test('encodePackHeader refuses non-contiguous offsets', (t) => {
  const [a, b] = entriesOfAllTypes();
  t.throws(() => encodePackHeader([a!, { ...b!, offset: b!.offset + 1 }]), { message: /offset/ });
});

async function buildPack(key: MasterKey, count: number): Promise<{ pack: Buffer; entries: PackedBlob[] }> {
  const parts: Buffer[] = [];
  const entries: PackedBlob[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const plain = randomBytes(10 + i);
    const sealed = seal(key, plain);
    parts.push(sealed);
    entries.push({ id: sha256(plain), type: 'data', offset, length: sealed.length, uncompressedLength: 0 });
    offset += sealed.length;
  }
  parts.push(assemblePackTail(key, entries));
  return { pack: Buffer.concat(parts), entries };
}

test('readPackHeader: one read for a small header, two for a large one', async (t) => {
  const key = newMasterKey();
  const small = await buildPack(key, 3);
  const reads: [number, number][] = [];
  t.deepEqual(await readPackHeader(reader(small.pack, key, reads)), small.entries);
  t.deepEqual(reads, [[0, small.pack.length]]);
  const big = await buildPack(key, 600); // header 600 × 37 > 16 KiB
  const reads2: [number, number][] = [];
  t.deepEqual(await readPackHeader(reader(big.pack, key, reads2)), big.entries);
  t.is(reads2.length, 2);
  t.is(reads2[0]![0] + reads2[0]![1], big.pack.length);
});

test('readPackHeader rejects appended/prepended bytes, bad hlen, wrong key, tiny packs', async (t) => {
  const key = newMasterKey();
  const { pack } = await buildPack(key, 2);
  const reject = async (buf: Buffer, re: RegExp, k: MasterKey = key): Promise<void> => {
    const err = await t.throwsAsync(readPackHeader(reader(buf, k)));
    t.true(isCode(err, 'Integrity'), err?.message);
    t.regex(err!.message, re);
  };
  await reject(Buffer.concat([pack, Buffer.from([0])]), /header length|verification/);
  await reject(Buffer.concat([Buffer.from([0]), pack]), /describes \d+ bytes, pack has/);
  const setHlen = (v: number): Buffer => {
    const b = Buffer.from(pack);
    b.writeUInt32LE(v, b.length - 4);
    return b;
  };
  await reject(setHlen(0), /header length 0/);
  await reject(setHlen(31), /header length 31/);
  await reject(setHlen(pack.length - 3), /header length/);
  await reject(setHlen(0xffffffff), /header length/);
  await reject(setHlen(70), /verification failed/);
  await reject(pack, /verification failed/, newMasterKey());
  await reject(pack.subarray(pack.length - 72), /too small/);
  const short = { ...reader(pack, key), loadRange: async () => Buffer.alloc(3) };
  t.true(isCode(await t.throwsAsync(readPackHeader(short)), 'Integrity'));
});

test('readPackHeader refuses compressed entries in a v1 repository', async (t) => {
  const key = newMasterKey();
  const plain = Buffer.alloc(5000, 7);
  const sealed = seal(key, plain.subarray(0, 100)); // content irrelevant to header parsing
  const entries: PackedBlob[] = [{ id: sha256(plain), type: 'data', offset: 0, length: sealed.length, uncompressedLength: 5000 }];
  const pack = Buffer.concat([sealed, assemblePackTail(key, entries)]);
  t.deepEqual(await readPackHeader(reader(pack, key)), entries);
  const err = await t.throwsAsync(readPackHeader({ ...reader(pack, key), version: 1 }));
  t.regex(err!.message, /version 1/);
});
