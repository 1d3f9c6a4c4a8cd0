import test from 'ava';
import { isCode } from '../errors/errors.ts';
import { sha256Hex } from './hash.ts';
import { createKeyFile, openKeyFile, parseKeyFile, scryptRaw } from './key-file.ts';
import { makeKey, masterKeyToJSON, newMasterKey } from './master-key.ts';
import { seal } from './seal.ts';

const created = '2026-11-22T05:21:53.071188585Z';
const fast = { N: 1024, r: 8, p: 1, hostname: 'vm', username: 'root', created };

test('§2.4 scrypt vector', async (t) => {
  const salt = Buffer.from(Array.from({ length: 64 }, (_, i) => i));
  const out = await scryptRaw('test', salt, { N: 16384, r: 8, p: 1 });
  const enc = out.subarray(0, 32).toString('hex');
  t.true(enc.startsWith('8cb31c48') && enc.endsWith('dd9b24'), enc);
  t.is(out.subarray(32, 48).toString('hex'), '5125c7c3bd289be20bc5bf366e650604');
  t.is(out.subarray(48, 64).toString('hex'), '70fa2084bb4c132c9777ecd7d886593b');
});

test('key file: restic field order, no newline, id = sha256, round trip, wrong password → null', async (t) => {
  const master = newMasterKey();
  const { id, bytes } = await createKeyFile(master, 'pässword', fast);
  t.is(id, sha256Hex(bytes));
  const text = bytes.toString('utf8');
  t.regex(
    text,
    /^\{"created":"2026-11-22T05:21:53\.071188585Z","username":"root","hostname":"vm","kdf":"scrypt","N":1024,"r":8,"p":1,"salt":"[A-Za-z0-9+/]{86}==","data":"[A-Za-z0-9+/=]{216}"\}$/,
  );
  const kf = parseKeyFile(bytes);
  t.is(kf.salt.length, 64);
  t.is(kf.data.length, 160);
  t.like(kf, { created, username: 'root', hostname: 'vm', kdf: 'scrypt', N: 1024, r: 8, p: 1 });
  const opened = await openKeyFile(kf, 'pässword');
  t.truthy(opened);
  t.is(masterKeyToJSON(opened!), masterKeyToJSON(master));
  t.is(await openKeyFile(kf, 'password'), null);
});

test('key file with restic default parameters (N=32768 r=8) works despite the 32 MiB maxmem default', async (t) => {
  const master = newMasterKey();
  const { bytes } = await createKeyFile(master, 'pw', { hostname: 'h', username: 'u', created });
  const kf = parseKeyFile(bytes);
  t.like(kf, { N: 32768, r: 8, p: 1 });
  t.is(masterKeyToJSON((await openKeyFile(kf, 'pw'))!), masterKeyToJSON(master));
});

test('Go JSON escaping of <>& in host names', async (t) => {
  const { bytes } = await createKeyFile(newMasterKey(), 'pw', { ...fast, hostname: 'a<b>&"c' });
  t.true(bytes.includes('"hostname":"a\\u003cb\\u003e\\u0026\\"c"'));
  t.is(parseKeyFile(bytes).hostname, 'a<b>&"c');
});

test('parseKeyFile error codes', async (t) => {
  const { bytes } = await createKeyFile(newMasterKey(), 'pw', fast);
  const text = bytes.toString();
  const cases: [string, string][] = [
    ['{', 'Integrity'],
    ['[]', 'Integrity'],
    [text.replace('"data":"', '"data":"!'), 'Integrity'],
    [text.replace('"N":1024', '"N":"1024"'), 'Integrity'],
    [text.replace('"kdf":"scrypt"', '"kdf":"argon2"'), 'Config'],
    [text.replace('"N":1024', '"N":1000'), 'Config'],
    [text.replace('"N":1024', '"N":1'), 'Config'],
    [text.replace('"r":8', '"r":0'), 'Config'],
    [text.replace('"p":1', '"p":0'), 'Config'],
    [text.replace('"N":1024', `"N":${2 ** 30}`), 'Config'],
    [text.replace(/"salt":"[^"]*"/, '"salt":"AAAA"'), 'Config'],
  ];
  for (const [s, code] of cases) {
    t.true(isCode(t.throws(() => parseKeyFile(Buffer.from(s))), code as 'Config'), s.slice(0, 60));
  }
});

test('tampered key data gives null (MAC failure), valid MAC over garbage gives Integrity', async (t) => {
  const { bytes } = await createKeyFile(newMasterKey(), 'pw', fast);
  const kf = parseKeyFile(bytes);
  const flipped = { ...kf, data: Buffer.from(kf.data) };
  flipped.data[20]! ^= 1;
  t.is(await openKeyFile(flipped, 'pw'), null);
  const raw = await scryptRaw('pw', kf.salt, kf);
  const user = makeKey(raw.subarray(0, 32), raw.subarray(32, 48), raw.subarray(48, 64));
  const garbage = { ...kf, data: seal(user, Buffer.from('{"mac":1}')) };
  t.true(isCode(await t.throwsAsync(openKeyFile(garbage, 'pw')), 'Integrity'));
});
