import test from 'ava';
import { isCode } from '../errors/errors.ts';
import { decodeLock, encodeLock } from './lock.ts';

const SPEC = '{"time":"2026-11-22T05:23:27.019950737Z","exclusive":false,"hostname":"vm","username":"root","pid":30341,"uid":1000,"gid":1000}';

test('reproduces the §10 lock JSON and reads it back', (t) => {
  const lock = decodeLock(Buffer.from(SPEC));
  t.deepEqual(lock, { time: '2026-11-22T05:23:27.019950737Z', exclusive: false, hostname: 'vm', username: 'root', pid: 30341, uid: 1000, gid: 1000 });
  t.is(encodeLock(lock).toString(), SPEC);
});

test('uid and gid 0 are omitted; bad fields are refused', (t) => {
  t.is(
    encodeLock({ time: '2024-01-02T03:04:05+02:00', exclusive: true, hostname: 'h&', username: 'u', pid: 1, uid: 0 }).toString(),
    '{"time":"2024-01-02T03:04:05+02:00","exclusive":true,"hostname":"h\\u0026","username":"u","pid":1}',
  );
  for (const bad of ['{"exclusive":"yes"}', '{"time":"x"}', '{"pid":1.5}', '{"uid":-3}', 'nope']) {
    const err = t.throws(() => decodeLock(bad), undefined, bad);
    t.true(isCode(err, 'Integrity'), bad);
  }
});
