import test from 'ava';
import { randomBytes } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { decodeIndexJSON, encodeIndexJSON, type IndexFile } from './index-json.ts';

const DATA_PACK = '57fc1fc2d803e5de86b5ea36749a24391474b49be89e419e92e3ba46e2a3aadc';
const DATA_BLOB = 'c81bd3710052dbc643cdfa3ccaba4ca83b808d82fd605bee0b86e34e75a72f25';
const TREE_PACK = 'ddcf05513d14804dee194ffb181fac0c662eafe1cb42d25a138456a9c310f6ec';
const TREE_BLOB = 'c7dbb857a76e21a76ba5e712f68bd00886c92e446a8a859a77350e46dd23322b';

const SPEC_12 =
  `{"packs":[{"id":"${DATA_PACK}","blobs":[{"id":"${DATA_BLOB}","type":"data","offset":0,"length":46}]},` +
  `{"id":"${TREE_PACK}","blobs":[{"id":"${TREE_BLOB}","type":"tree","offset":0,"length":391}]}]}\n`;

const spec12: IndexFile = {
  packs: [
    { id: DATA_PACK, blobs: [{ id: DATA_BLOB, type: 'data', offset: 0, length: 46 }] },
    { id: TREE_PACK, blobs: [{ id: TREE_BLOB, type: 'tree', offset: 0, length: 391 }] },
  ],
};

const hex = (): string => randomBytes(32).toString('hex');

test('§12 index JSON byte for byte, both ways', (t) => {
  t.is(encodeIndexJSON(spec12).toString(), SPEC_12);
  t.deepEqual(decodeIndexJSON(Buffer.from(SPEC_12)), spec12);
});

test('supersedes first, uncompressed_length last and only when > 0', (t) => {
  const [a, b, p] = [hex(), hex(), hex()];
  const idx: IndexFile = {
    supersedes: [a],
    packs: [{ id: p, blobs: [{ id: b, type: 'tree', offset: 10, length: 99, uncompressedLength: 500 }] }],
  };
  const json = encodeIndexJSON(idx).toString();
  t.is(
    json,
    `{"supersedes":["${a}"],"packs":[{"id":"${p}","blobs":[{"id":"${b}","type":"tree","offset":10,"length":99,"uncompressed_length":500}]}]}\n`,
  );
  t.deepEqual(decodeIndexJSON(Buffer.from(json)), idx);
  const zero = encodeIndexJSON({ supersedes: [], packs: [{ id: p, blobs: [{ id: b, type: 'data', offset: 0, length: 40, uncompressedLength: 0 }] }] });
  t.is(zero.toString(), `{"packs":[{"id":"${p}","blobs":[{"id":"${b}","type":"data","offset":0,"length":40}]}]}\n`);
  t.is(encodeIndexJSON({ packs: [] }).toString(), '{"packs":[]}\n');
});

test('decode accepts the old array format, any field order, null arrays, uppercase ids, no newline', (t) => {
  const old = `[{"id":"${DATA_PACK}","blobs":[{"id":"${DATA_BLOB}","type":"data","offset":0,"length":46}]}]`;
  t.deepEqual(decodeIndexJSON(Buffer.from(old)), { packs: [spec12.packs[0]!] });
  const shuffled = `{"packs":[{"blobs":[{"length":46,"offset":0,"type":"data","id":"${DATA_BLOB.toUpperCase()}"}],"id":"${DATA_PACK}"}],"supersedes":null}`;
  t.deepEqual(decodeIndexJSON(Buffer.from(shuffled)), { packs: [spec12.packs[0]!] });
  t.deepEqual(decodeIndexJSON(Buffer.from('{"packs":null}')), { packs: [] });
});

test('decode errors are Integrity with the location', (t) => {
  const cases: [string, RegExp][] = [
    ['{', /malformed JSON/],
    ['"x"', /not an object or array/],
    ['{"packs":{}}', /packs is not an array/],
    [SPEC_12.replace('"type":"tree"', '"type":"trees"'), /packs\[1\]\.blobs\[0\] has invalid type "trees"/],
    [SPEC_12.replace(DATA_PACK, 'abc'), /packs\[0\]\.id is not a 64-digit hex ID/],
    [SPEC_12.replace(DATA_BLOB, DATA_BLOB.slice(1) + 'g'), /packs\[0\]\.blobs\[0\]\.id/],
    [SPEC_12.replace('"offset":0,"length":46', '"offset":-1,"length":46'), /invalid offset/],
    [SPEC_12.replace('"length":391', '"length":1.5'), /invalid length/],
    [SPEC_12.replace('"length":391', '"length":"391"'), /invalid length/],
    [SPEC_12.replace('"length":391', '"length":391,"uncompressed_length":4294967296'), /uncompressed_length/],
    [`{"supersedes":["zz"],"packs":[]}`, /supersedes\[0\]/],
  ];
  for (const [json, re] of cases) {
    const err = t.throws(() => decodeIndexJSON(Buffer.from(json)));
    t.true(isCode(err, 'Integrity'), json);
    t.regex(err!.message, re);
  }
});

test('encode refuses invalid ids and numbers', (t) => {
  const blob = { id: hex(), type: 'data' as const, offset: 0, length: 40 };
  t.throws(() => encodeIndexJSON({ packs: [{ id: 'ABC', blobs: [] }] }));
  t.throws(() => encodeIndexJSON({ packs: [{ id: hex(), blobs: [{ ...blob, id: hex().toUpperCase() }] }] }));
  t.throws(() => encodeIndexJSON({ packs: [{ id: hex(), blobs: [{ ...blob, length: -1 }] }] }));
  t.throws(() => encodeIndexJSON({ packs: [{ id: hex(), blobs: [{ ...blob, offset: 2 ** 32 }] }] }));
});

test('150 000 blobs encode and decode quickly', (t) => {
  const packs = Array.from({ length: 1500 }, () => ({
    id: hex(),
    blobs: Array.from({ length: 100 }, (_, i) => ({ id: hex(), type: 'data' as const, offset: i * 1000, length: 1000, uncompressedLength: 2000 })),
  }));
  let start = performance.now();
  const json = encodeIndexJSON({ packs });
  const encMs = performance.now() - start;
  start = performance.now();
  const back = decodeIndexJSON(json);
  const decMs = performance.now() - start;
  t.is(back.packs.length, 1500);
  t.deepEqual(back.packs[1499], packs[1499]);
  t.log(`${(json.length / 1e6).toFixed(1)} MB: encode ${encMs.toFixed(0)} ms, decode ${decMs.toFixed(0)} ms`);
  t.true(encMs + decMs < 5000);
});

test('raw 32-byte IDs encode as their hex, and entries of the longest form fit', (t) => {
  const raw = Array.from({ length: 50 }, () => randomBytes(32));
  raw.push(Buffer.alloc(32, 0xff), Buffer.alloc(32, 0));
  const p = hex();
  const max = 2 ** 32 - 1;
  const blobs = (id: (b: Buffer) => string | Buffer) => raw.map((b, i) => ({ id: id(b), type: i % 2 ? ('tree' as const) : ('data' as const), offset: max, length: max, uncompressedLength: max - i }));
  const fromRaw = encodeIndexJSON({ supersedes: [hex()], packs: [{ id: p, blobs: blobs((b) => b) }] });
  const fromHex = encodeIndexJSON({ supersedes: [JSON.parse(fromRaw.toString()).supersedes[0]], packs: [{ id: p, blobs: blobs((b) => b.toString('hex')) }] });
  t.deepEqual(fromRaw, fromHex);
  t.deepEqual(decodeIndexJSON(fromRaw).packs[0]!.blobs.map((b) => b.id), raw.map((b) => b.toString('hex')));
  t.throws(() => encodeIndexJSON({ packs: [{ id: p, blobs: [{ id: randomBytes(31), type: 'data', offset: 0, length: 40 }] }] }), { message: /32 bytes/ });
});
