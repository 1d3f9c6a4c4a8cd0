import test from 'ava';
import { goJSONBytes, goJSONString, parseJSONWithUint64 } from './go-json.ts';
import { isCode } from '../errors/errors.ts';

test('goJSONString escapes like go1.19 encoding/json', (t) => {
  t.is(goJSONString('<a&b>'), String.raw`"\u003ca\u0026b\u003e"`);
  t.is(goJSONString('q"b\\'), String.raw`"q\"b\\"`);
  t.is(goJSONString('\n\r\t'), String.raw`"\n\r\t"`);
  t.is(goJSONString('\b\f\x00\x1f'), String.raw`"\u0008\u000c\u0000\u001f"`);
  t.is(goJSONString('\x7f/é日😀\uFFFD'), '"\x7f/é日😀\uFFFD"');
  t.is(goJSONString('a\u2028b\u2029'), String.raw`"a\u2028b\u2029"`);
  t.is(goJSONString('x\ud800y\udc00'), String.raw`"x\ufffdy\ufffd"`);
  t.is(goJSONString(''), '""');
});

test('goJSONBytes writes each invalid UTF-8 byte as \\ufffd (restic 0.14 linktarget)', (t) => {
  t.is(goJSONBytes(Buffer.from('target\xfe', 'latin1')), String.raw`"target\ufffd"`);
  t.is(goJSONBytes(Buffer.from('e282', 'hex')), String.raw`"\ufffd\ufffd"`);
  t.is(goJSONBytes(Buffer.from('ok é <', 'utf8')), String.raw`"ok é \u003c"`);
  t.is(goJSONBytes(Buffer.from('ff f0 9f 98 80'.replace(/ /g, ''), 'hex')), '"\\ufffd😀"');
});

test('parseJSONWithUint64 keeps uint64 values exact and refuses bad ones', (t) => {
  const keys = new Set(['inode']);
  const v = parseJSONWithUint64('{"inode":18446744073709551615,"Inode":9007199254740993,"x":1.5}', keys, 't') as Record<string, unknown>;
  t.is(v['inode'], 18446744073709551615n);
  t.is(v['Inode'], 9007199254740993n);
  t.is(v['x'], 1.5);
  for (const bad of ['{"inode":-1}', '{"inode":1.5}', '{"inode":1e3}', '{"inode":18446744073709551616}', '{"inode":']) {
    const err = t.throws(() => parseJSONWithUint64(bad, keys, 't'), undefined, bad);
    t.true(isCode(err, 'Integrity'), bad);
  }
});

test('parseJSONWithUint64 reads plain trees exactly whether or not a number looks inexact', (t) => {
  const keys = new Set(['inode', 'size']);
  const plain = '{"nodes":[{"name":"a:12.5","mtime":"2024-01-02T03:04:05.5+01:00","inode":5,"size":0,"mode":420,"content":["12e4"]}]}';
  const v = parseJSONWithUint64(plain, keys, 't') as { nodes: Record<string, unknown>[] };
  t.is(v.nodes[0]!['inode'], 5n);
  t.is(v.nodes[0]!['size'], 0n);
  t.is(v.nodes[0]!['mode'], 420);
  t.is(v.nodes[0]!['name'], 'a:12.5');
  // the same with a big number elsewhere: the exact path gives the same values
  const big = plain.replace('"mode":420', '"mode":420,"links":12345678901234567');
  const w = parseJSONWithUint64(big, new Set([...keys, 'links']), 't') as { nodes: Record<string, unknown>[] };
  t.is(w.nodes[0]!['inode'], 5n);
  t.is(w.nodes[0]!['links'], 12345678901234567n);
  for (const bad of ['{"a":[{"size":-3}]}', '{"a":[{"SIZE":2.5}]}', '{"size" : 1e2}', '{"size":-0}']) {
    const err = t.throws(() => parseJSONWithUint64(bad, keys, 't'), undefined, bad);
    t.true(isCode(err, 'Integrity'), bad);
  }
});
