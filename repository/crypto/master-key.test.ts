import test from 'ava';
import { inspect } from 'node:util';
import { isCode } from '../errors/errors.ts';
import { clampR, makeKey, masterKeyFromJSON, masterKeyToJSON, newMasterKey } from './master-key.ts';
import { VECTOR, vectorKey } from './test-vectors.ts';

test('§12 master key JSON parses to the §2.3 key and serializes back byte for byte', (t) => {
  const key = masterKeyFromJSON(Buffer.from(VECTOR.masterJSON));
  t.is(key.encrypt.toString('hex'), VECTOR.enc);
  t.is(key.macK.toString('hex'), VECTOR.k);
  t.is(key.macR.toString('hex'), VECTOR.rClamped);
  t.is(masterKeyToJSON(key), VECTOR.masterJSON);
  t.is(masterKeyToJSON(vectorKey()), VECTOR.masterJSON);
});

test('new master keys are random, clamped and round trip through JSON', (t) => {
  const a = newMasterKey();
  const b = newMasterKey();
  t.notDeepEqual(a.encrypt, b.encrypt);
  t.deepEqual(a.macR, clampR(a.macR));
  const json = masterKeyToJSON(a);
  t.regex(json, /^\{"mac":\{"k":"[^"]{24}","r":"[^"]{24}"\},"encrypt":"[^"]{44}"\}$/);
  const back = masterKeyFromJSON(json);
  t.deepEqual([back.encrypt, back.macK, back.macR], [a.encrypt, a.macK, a.macR]);
});

test('reading clamps an unclamped r', (t) => {
  const unclamped = VECTOR.masterJSON.replace('RFbSCqiLqQcIEa4F3PSYCA==', Buffer.from(VECTOR.rRaw, 'hex').toString('base64'));
  t.not(unclamped, VECTOR.masterJSON);
  t.is(masterKeyFromJSON(unclamped).macR.toString('hex'), VECTOR.rClamped);
});

test('invalid master keys are Integrity errors', (t) => {
  const bad = [
    'not json',
    '{"encrypt":"xgchcNdY5TWNcXNggpvR+bFgOzVbX3/jddGqvcp6IN4="}',
    VECTOR.masterJSON.replace('"encrypt":"x', '"encrypt":"!'),
    VECTOR.masterJSON.replace('/PE1++NcrHUtDzR0G8Smow==', 'AAAAAAAAAAAAAAAAAAAAAA=='),
    VECTOR.masterJSON.replace('/PE1++NcrHUtDzR0G8Smow==', 'AAAA'),
  ];
  for (const s of bad) t.true(isCode(t.throws(() => masterKeyFromJSON(s)), 'Integrity'), s);
  t.throws(() => makeKey(Buffer.alloc(32), Buffer.alloc(16, 1), Buffer.alloc(16, 1)), { message: /all-zero/ });
});

test('keys print as [redacted]', (t) => {
  const key = newMasterKey();
  t.is(inspect(key), '[redacted]');
  t.is(JSON.stringify({ key }), '{"key":"[redacted]"}');
  t.is(String(key), '[redacted]');
  t.deepEqual(Object.keys(key), ['encrypt', 'macK', 'macR']);
});
