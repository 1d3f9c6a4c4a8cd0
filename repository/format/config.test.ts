import test from 'ava';
import { isCode } from '../errors/errors.ts';
import { decodeConfig, encodeConfig } from './config.ts';

const SPEC_12 =
  '{"version":2,"id":"2f61062d057a76a3ed5e7c72256750b60b5f3026adbcf7656a2242f06686919a","chunker_polynomial":"3da3358b4dc173"}';
const SPEC_3 =
  '{"version":2,"id":"3d54beca135e74f06deb0e12f21765ad7ccf4a3836cc7d50beb810a0eac0bf60","chunker_polynomial":"2cd2e88c56a9c1"}';

test('§12 and §3 config plaintexts byte for byte', (t) => {
  const c12 = decodeConfig(Buffer.from(SPEC_12));
  t.deepEqual(c12, {
    version: 2,
    id: '2f61062d057a76a3ed5e7c72256750b60b5f3026adbcf7656a2242f06686919a',
    chunkerPolynomial: '3da3358b4dc173',
  });
  t.is(encodeConfig(c12).toString(), SPEC_12);
  const c3 = encodeConfig(decodeConfig(Buffer.from(SPEC_3)));
  t.is(c3.toString(), SPEC_3);
  t.is(c3.length, 123);
});

test('v1 config and polynomial normalization', (t) => {
  const c = decodeConfig(Buffer.from('{"chunker_polynomial":"3DA3358B4DC173","id":"ab","version":1}'));
  t.deepEqual(c, { version: 1, id: 'ab', chunkerPolynomial: '3da3358b4dc173' });
  t.is(encodeConfig(c).toString(), '{"version":1,"id":"ab","chunker_polynomial":"3da3358b4dc173"}');
});

test('unsupported versions are Config errors', (t) => {
  for (const v of ['3', '0', '-1']) {
    const err = t.throws(() => decodeConfig(Buffer.from(SPEC_12.replace('"version":2', `"version":${v}`))));
    t.true(isCode(err, 'Config'));
    t.is(err?.message, `unsupported repository version ${v}`);
  }
  const missing = t.throws(() => decodeConfig(Buffer.from(SPEC_12.replace('"version":2,', ''))));
  t.is(missing?.message, 'unsupported repository version 0');
});

test('malformed configs and reducible polynomials are Integrity errors', (t) => {
  const cases = [
    'not json',
    '[]',
    SPEC_12.replace('"version":2', '"version":"2"'),
    SPEC_12.replace(/"id":"[0-9a-f]+",/, ''),
    SPEC_12.replace('3da3358b4dc173', 'xyz'),
    SPEC_12.replace('"chunker_polynomial":"3da3358b4dc173"', '"chunker_polynomial":123'),
  ];
  for (const c of cases) t.true(isCode(t.throws(() => decodeConfig(Buffer.from(c))), 'Integrity'), c);
  const reducible = SPEC_12.replace('3da3358b4dc173', '20000000000001'); // X^53 + 1
  t.is(t.throws(() => decodeConfig(Buffer.from(reducible)))?.message, 'invalid chunker polynomial');
});

test('encodeConfig refuses invalid configs', (t) => {
  const ok = { version: 2 as const, id: 'ab', chunkerPolynomial: '3da3358b4dc173' };
  t.throws(() => encodeConfig({ ...ok, chunkerPolynomial: '20000000000001' }));
  t.throws(() => encodeConfig({ ...ok, id: 'A"B' }));
  t.throws(() => encodeConfig({ ...ok, version: 3 as 2 }));
});
