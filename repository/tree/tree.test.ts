import test from 'ava';
import { createHash } from 'node:crypto';
import { isCode } from '../errors/errors.ts';
import { nameLiteral, type Node } from './node.ts';
import { goJSONString } from './go-json.ts';
import { goQuote } from './go-quote.ts';
import { decodeTree, encodeTree, findNode } from './tree.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const T = '2024-01-02T03:04:05.123456789Z';
const BLOB = 'c81bd3710052dbc643cdfa3ccaba4ca83b808d82fd605bee0b86e34e75a72f25';
const SUB = 'ac08ce34ba4f8123618661bef2425f7028ffb9ac740578a3ee88684d2523fee8';

const hello: Node = {
  name: Buffer.from('hello.txt'),
  type: 'file',
  mode: 420,
  mtime: T,
  atime: T,
  ctime: T,
  uid: 1000,
  gid: 1000,
  user: 'spec',
  group: 'spec',
  inode: 42n,
  deviceId: 2049n,
  size: 14n,
  links: 1n,
  content: [BLOB],
};

function node(name: Buffer | string, extra: Partial<Node> = {}): Node {
  const n: Node = { name: Buffer.from(name), type: 'fifo', mode: 0, mtime: T, atime: T, ctime: T, uid: 0, gid: 0, content: null };
  return Object.assign(n, extra);
}

test('reproduces the §12 tree blob byte for byte', (t) => {
  const bytes = encodeTree([hello]);
  t.is(
    bytes.toString(),
    `{"nodes":[{"name":"hello.txt","type":"file","mode":420,"mtime":"${T}","atime":"${T}","ctime":"${T}","uid":1000,"gid":1000,"user":"spec","group":"spec","inode":42,"device_id":2049,"size":14,"links":1,"content":["${BLOB}"]}]}\n`,
  );
  t.is(bytes.length, 359);
  t.is(sha256(bytes), 'c7dbb857a76e21a76ba5e712f68bd00886c92e446a8a859a77350e46dd23322b');
  t.deepEqual(decodeTree(bytes), [hello]);
});

test('the empty tree has restic’s ID', (t) => {
  const bytes = encodeTree([]);
  t.is(bytes.toString(), '{"nodes":[]}\n');
  t.is(sha256(bytes), SUB);
  t.deepEqual(decodeTree(bytes), []);
  t.deepEqual(decodeTree(Buffer.from('{"nodes":null}')), []);
});

test('nodes are sorted by raw name bytes, duplicates refused', (t) => {
  const names = ['blk', 'bad\xffname', 'badlink', 'Z', 'é'].map((s) => Buffer.from(s, 'latin1'));
  const json = encodeTree(names.map((n) => node(n))).toString();
  const order = [...json.matchAll(/"name":"([^"]*)"/g)].map((m) => m[1]);
  t.deepEqual(order, ['Z', 'badlink', 'bad\\\\xffname', 'blk', '\\\\xe9']);
  const err = t.throws(() => encodeTree([node('a'), node('b'), node('a')]));
  t.true(isCode(err, 'Integrity'));
});

test('every field survives encode → decode → encode, uint64 values exactly', (t) => {
  const nodes: Node[] = [
    { ...hello, name: Buffer.from('big'), inode: 18446744073709551615n, deviceId: 9007199254740993n, size: 2n ** 60n, links: 3n },
    node('d', { type: 'dir', mode: 2147484141, subtree: SUB, extendedAttributes: [{ name: 'user.note', value: Buffer.from('hi') }] }),
    node('link', { type: 'symlink', mode: 134218239, links: 1n, linktarget: Buffer.from('../target') }),
    node('blk', { type: 'dev', mode: 67109284, links: 1n, device: 1792n }),
    node('empty', { type: 'file', mode: 420, content: [], error: 'x<y', user: 'ü', extendedAttributes: [{ name: 'user.e', value: Buffer.alloc(0) }] }),
  ];
  const bytes = encodeTree(nodes);
  const decoded = decodeTree(bytes);
  t.deepEqual(encodeTree(decoded), bytes);
  t.is(findNode(decoded, Buffer.from('big'))?.inode, 18446744073709551615n);
  t.true(bytes.toString().includes('"inode":18446744073709551615,"device_id":9007199254740993'));
  t.true(bytes.toString().includes('"extended_attributes":[{"name":"user.note","value":"aGk="}],"content":null,"subtree"'));
  t.true(bytes.toString().includes(String.raw`"error":"x\u003cy"`));
});

test('non-UTF-8 symlink targets: lossy linktarget as 0.14 writes, exact linktarget_raw', (t) => {
  const target = Buffer.from('target\xfe', 'latin1');
  const bytes = encodeTree([node('badlink', { type: 'symlink', mode: 134218239, links: 1n, linktarget: target })]);
  t.true(bytes.toString().includes(String.raw`"links":1,"linktarget":"target\ufffd","linktarget_raw":"dGFyZ2V0/g==","content":null`));
  t.deepEqual(decodeTree(bytes)[0]?.linktarget, target);
  // As restic 0.14 wrote it: only the lossy string.
  const old = bytes.toString().replace(/,"linktarget_raw":"[^"]*"/, '');
  t.deepEqual(decodeTree(Buffer.from(old))[0]?.linktarget, Buffer.from('target\uFFFD'));
});

test('decoding tolerates unknown keys and Go-style case-insensitive keys', (t) => {
  const tree = Buffer.from(
    `{"nodes":[{"NAME":"caf\\u00e9","type":"file","mode":420,"mtime":"${T}","atime":"${T}","ctime":"${T}","uid":1,"gid":2,"generic_attributes":{"k":"dg=="},"future":[1,{"a":null}],"content":[]}],"extra":true}`,
  );
  const [n] = decodeTree(tree);
  t.deepEqual(n?.name, Buffer.from('café'));
  t.deepEqual(n?.content, []);
  t.is(n?.uid, 1);
});

test('decoding refuses unsafe names, unknown types and malformed fields', (t) => {
  const base = (name: string, extra = ''): Buffer =>
    Buffer.from(`{"nodes":[{"name":${JSON.stringify(name)},"type":"file","mtime":"${T}","atime":"${T}","ctime":"${T}","uid":0,"gid":0,"content":[]${extra}}]}`);
  const bad: [string, Buffer][] = [
    ['dotdot', base('..')],
    ['dot', base('.')],
    ['escaped dotdot', base('\\x2e\\x2e')],
    ['empty', base('')],
    ['slash', base('a/b')],
    ['escaped slash', base('a\\x2fb')],
    ['nul', base('a\\x00b')],
    ['unquotable', base('a"b')],
    ['type', Buffer.from(`{"nodes":[{"name":"a","type":"irregular","content":null}]}`)],
    ['negative mode', base('a', ',"mode":-2147483155')],
    ['float inode', base('a', ',"inode":1.5')],
    ['bad time', base('a', ',"mtime":"yesterday"')],
    ['bad content', base('a', ',"content":["abc"]')],
    ['bad base64', base('a', ',"extended_attributes":[{"name":"user.x","value":"!!"}]')],
    ['duplicate', Buffer.from(`{"nodes":[{"name":"a","type":"fifo"},{"name":"a","type":"fifo"}]}`)],
    ['null node', Buffer.from('{"nodes":[null]}')],
    ['not json', Buffer.from('{"nodes":[')],
  ];
  for (const [what, json] of bad) {
    const err = t.throws(() => decodeTree(json), undefined, what);
    t.true(isCode(err, 'Integrity'), what);
  }
  t.regex(t.throws(() => decodeTree(base('..')))?.message ?? '', /tree contains invalid name/);
});

test('encoding refuses nodes restic would reject', (t) => {
  for (const n of [
    node('f', { type: 'file', content: null }),
    node('d', { type: 'dir' }),
    node('m', { mode: 2 ** 31 | 0o755 }),
    node('c', { type: 'file', content: ['XYZ'] }),
    node('i', { inode: -1n }),
    node('t', { mtime: '2024-01-02' }),
    node('..'),
    node('a/b'),
  ]) {
    const err = t.throws(() => encodeTree([n]), undefined, n.name.toString());
    t.true(isCode(err, 'Integrity'));
  }
});

test('decoded trees come back sorted even if stored unsorted', (t) => {
  const bytes = Buffer.from('{"nodes":[{"name":"b","type":"fifo","content":null},{"name":"a","type":"fifo","content":null}]}');
  const names = decodeTree(bytes).map((n) => n.name.toString());
  t.deepEqual(names, ['a', 'b']);
  t.is(decodeTree(bytes)[0]?.mtime, '0001-01-01T00:00:00Z');
});

test('the fast name literal equals Go quoting then JSON encoding, for every byte and random names', (t) => {
  const check = (b: Buffer) => t.is(nameLiteral(b), goJSONString(goQuote(b)), b.toString('hex'));
  for (let c = 0; c < 256; c++) check(Buffer.from([0x61, c, 0x62]));
  let x = 12345;
  for (let i = 0; i < 2000; i++) {
    const len = 1 + (i % 40);
    const b = Buffer.alloc(len);
    for (let j = 0; j < len; j++) {
      x = (x * 1103515245 + 12345) >>> 0;
      b[j] = i % 2 ? 0x20 + (x % 95) : x >>> 24;
    }
    check(b);
  }
});
