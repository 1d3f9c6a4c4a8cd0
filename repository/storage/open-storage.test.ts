import path from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { FsStorage } from './fs-storage.ts';
import { openStorage } from './open-storage.ts';
import { S3Storage } from './s3-storage.ts';

test('open: a path opens an FsStorage', (t) => {
  const s = openStorage('local:/tmp/some-repo');
  t.true(s instanceof FsStorage);
  t.is(s.location, path.resolve('/tmp/some-repo'));
});

test('open: s3 URLs open an S3Storage with keys from the environment, never showing them', async (t) => {
  const s = openStorage('s3:http://127.0.0.1:9/bkt/a//b/', {
    env: { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-from-env', AWS_REGION: 'eu-west-3' },
  });
  t.teardown(() => s.close());
  t.true(s instanceof S3Storage);
  t.is(s.location, 's3:http://127.0.0.1:9/bkt/a/b');
  t.is(s.connections, 8);
  t.is((s as S3Storage).key({ type: 'config', name: '' }), 'a/b/config');
  t.false(JSON.stringify(s).includes('secret-from-env'));
  t.false(inspect(s, { depth: 10 }).includes('secret-from-env'));
});

test('open: a half-set key pair is a Config error', (t) => {
  const err = t.throws(() => openStorage('s3:host/bkt', { env: { AWS_ACCESS_KEY_ID: 'x' } }), { instanceOf: SkiffError });
  t.is(err?.code, 'Config');
  t.is(err?.message, 'AWS_SECRET_ACCESS_KEY is not set but its partner is');
});

test('open: SKIFF_CACERT must be readable', (t) => {
  const err = t.throws(() => openStorage('s3:host/bkt', { env: { SKIFF_CACERT: '/nonexistent/ca.pem' } }), { instanceOf: SkiffError });
  t.is(err?.code, 'Config');
  t.is(err?.message, 'cannot read CA bundle /nonexistent/ca.pem');
});

test('open: unsupported backends are Config errors', (t) => {
  const err = t.throws(() => openStorage('b2:bucket:path'), { instanceOf: SkiffError });
  t.is(err?.message, 'backend b2 is not supported (use a local path or s3:)');
});
