import test from 'ava';
import { goJSONString } from './go-json.ts';
import { goQuote, goUnquote } from './go-quote.ts';
import { isCode } from '../errors/errors.ts';

const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');

test('the §9.4 example name is stored exactly as restic stores it', (t) => {
  const name = Buffer.from('we"ird\\\\name<&>é', 'utf8'); // two literal backslashes
  t.is(goJSONString(goQuote(name)), String.raw`"we\\\"ird\\\\\\\\name\u003c\u0026\u003eé"`);
});

test('invalid UTF-8 bytes become \\xNN', (t) => {
  t.is(goQuote(Buffer.from('bad\xffname', 'latin1')), 'bad\\xffname');
  t.is(goQuote(hex('e2 82')), '\\xe2\\x82'); // truncated sequence: byte by byte
  t.is(goQuote(hex('ed a0 80')), '\\xed\\xa0\\x80'); // encoded surrogate
  t.is(goQuote(hex('c0 af')), '\\xc0\\xaf'); // overlong
  t.is(goQuote(hex('f4 90 80 80')), '\\xf4\\x90\\x80\\x80'); // above U+10FFFF
});

test('printable runes stay raw, others are escaped as Go does', (t) => {
  const cases: [string, string][] = [
    ['00', '\\x00'],
    ['07 08 0c 0a 0d 09 0b', '\\a\\b\\f\\n\\r\\t\\v'],
    ['1b', '\\x1b'],
    ['7f', '\\x7f'],
    ['20 7e', ' ~'],
    ['c2 a0', '\\u00a0'], // NBSP is a space, not printable
    ['c2 ad', '\\u00ad'], // soft hyphen
    ['c2 a1', '¡'],
    ['e2 80 a8', '\\u2028'],
    ['e3 80 80', '\\u3000'], // ideographic space
    ['ee 80 80', '\\ue000'], // private use
    ['cd b8', '\\u0378'], // unassigned
    ['f3 b0 80 80', '\\U000f0000'], // supplementary private use
    ['f0 9f 98 80', '😀'],
    ['ef bf bd', '\uFFFD'], // a real U+FFFD is a symbol
    ['e6 97 a5 e6 9c ac', '日本'],
    ['cc 81', '\u0301'], // combining mark
  ];
  for (const [bytes, quoted] of cases) t.is(goQuote(hex(bytes)), quoted, bytes);
});

test('goUnquote decodes every escape form to bytes', (t) => {
  t.deepEqual(goUnquote(String.raw`\x41\101\u00e9\U0001F600\a\b\f\n\r\t\v\"\\`), Buffer.concat([
    Buffer.from('AAé😀\x07\b\f\n\r\t\v"\\', 'utf8'),
  ]));
  t.deepEqual(goUnquote(String.raw`\xff\377\xFe`), hex('ff ff fe'));
  t.deepEqual(goUnquote('plain é'), Buffer.from('plain é'));
  t.deepEqual(goUnquote('tab\tand\u00a0nbsp raw'), Buffer.from('tab\tand\u00a0nbsp raw'));
});

test('goUnquote rejects what strconv.Unquote rejects', (t) => {
  const bad = ['a"b', '"', 'a\\', 'line\nbreak', '\\q', '\\x4', '\\x4g', '\\400', '\\08', '\\ud800', "\\'", '\\U00110000', '\\u12'];
  for (const s of bad) {
    const err = t.throws(() => goUnquote(s), undefined, JSON.stringify(s));
    t.true(isCode(err, 'Integrity'), JSON.stringify(s));
  }
});

// Deterministic PRNG so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

test('quote then unquote gives back any byte string, also through JSON', (t) => {
  const rand = rng(42);
  const pieces = [hex('e2 82 ac'), hex('f0 9f 98 80'), hex('c2 a0'), hex('ed a0 80'), Buffer.from('\\"\n')];
  for (let i = 0; i < 3000; i++) {
    const parts: Buffer[] = [];
    const n = Math.floor(rand() * 12);
    for (let j = 0; j < n; j++) {
      const r = rand();
      if (r < 0.4) parts.push(Buffer.from([Math.floor(rand() * 256)]));
      else if (r < 0.7) parts.push(Buffer.from([0x20 + Math.floor(rand() * 95)]));
      else parts.push(pieces[Math.floor(rand() * pieces.length)] ?? Buffer.alloc(0));
    }
    const b = Buffer.concat(parts);
    const quoted = goQuote(b);
    t.deepEqual(goUnquote(quoted), b, b.toString('hex'));
    t.deepEqual(goUnquote(JSON.parse(goJSONString(quoted)) as string), b, b.toString('hex'));
  }
});
