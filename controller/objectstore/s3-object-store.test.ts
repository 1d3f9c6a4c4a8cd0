import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import test from 'ava';
import type { BackupStorageLocation } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { type EmbeddedS3, startS3Server } from '../../test/support/s3-server.ts';
import { Redacted } from '../runtime/redact.ts';
import type { ObjectStore } from '../runtime/types.ts';
import { parseAwsCredentials } from './aws-credentials.ts';
import { objectStoreForBsl } from './for-bsl.ts';

let s3: EmbeddedS3 | undefined;
const SECRET = 'TOPSECRET-do-not-print-9f3a';

function server(): EmbeddedS3 {
  if (s3 === undefined) throw new Error('no s3');
  return s3;
}

test.before(async () => {
  s3 = await startS3Server({ buckets: ['bsl', 'shared', 'empty'] });
});
test.after.always(async () => {
  await s3?.stop();
});

function bsl(over: { bucket?: string; prefix?: string; s3Url?: string; profile?: string } = {}): BackupStorageLocation {
  return {
    apiVersion: 'skiff.dev/v1',
    kind: 'BackupStorageLocation',
    metadata: { name: 'default', namespace: 'skiff' },
    spec: {
      provider: 'aws',
      objectStorage: { bucket: over.bucket ?? 'bsl', ...(over.prefix === undefined ? {} : { prefix: over.prefix }) },
      config: { region: 'us-east-1', s3Url: over.s3Url ?? server().endpoint, s3ForcePathStyle: 'true', ...(over.profile === undefined ? {} : { profile: over.profile }) },
      credential: { name: 'creds', key: 'cloud' },
    },
  };
}

const credFile = (key = 'S3RVER'): Redacted<Buffer> =>
  new Redacted(Buffer.from(`# test\n[default]\naws_access_key_id = ${key}\naws_secret_access_key=${SECRET}\n\n[profile other]\naws_access_key_id=S3RVER\naws_secret_access_key = x\n`));

async function collect(it: AsyncIterable<{ key: string; size: number }>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(`${o.key}:${o.size}`);
  return out.sort();
}

async function withStore<T>(b: BackupStorageLocation, fn: (s: ObjectStore) => Promise<T>, key?: string): Promise<T> {
  const s = objectStoreForBsl(b, credFile(key), { maxAttempts: 1 });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

test('AWS credentials files: profiles, comments, [profile x] sections, clear errors without values', (t) => {
  const text = credFile().reveal().toString('utf8');
  t.deepEqual(parseAwsCredentials(text), { accessKeyId: 'S3RVER', secretAccessKey: SECRET });
  t.is(parseAwsCredentials(text, 'other').secretAccessKey, 'x');
  t.is(parseAwsCredentials('[default]\naws_access_key_id=a\naws_secret_access_key=b\naws_session_token=c').sessionToken, 'c');
  const missing = t.throws(() => parseAwsCredentials(text, 'prod'));
  t.is((missing as SkiffError).code, 'Config');
  t.regex(missing.message, /no profile \[prod\] \(it has \[default\], \[other\]\)/);
  t.false(missing.message.includes(SECRET));
  t.throws(() => parseAwsCredentials('[default]\naws_access_key_id=a\n'), { message: /no aws_secret_access_key/ });
  t.throws(() => parseAwsCredentials('just some text'), { message: /no profiles at all/ });
});

test('put/get/stream/exists/list/delete under the prefix, and keys land at prefix/key', async (t) => {
  await withStore(bsl({ prefix: '/team/a/' }), async (s) => {
    t.is(s.location, 's3://bsl/team/a');
    await s.put('backups/b1/skiff-backup.json', Buffer.from('{"a":1}'), { contentType: 'application/json' });
    const big = gzipSync(Buffer.alloc(300_000, 7));
    await s.put('backups/b1/b1.tar.gz', Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
    await s.put('restores/r1/restore-r1-logs.gz', Buffer.from('x'));
    t.is((await s.get('backups/b1/skiff-backup.json')).toString(), '{"a":1}');
    const chunks: Buffer[] = [];
    for await (const c of await s.getStream('backups/b1/b1.tar.gz')) chunks.push(c as Buffer);
    t.is(gunzipSync(Buffer.concat(chunks)).length, 300_000, 'a streamed upload reads back intact');
    t.true(await s.exists('backups/b1/b1.tar.gz'));
    t.false(await s.exists('backups/b1/nope'));
    t.deepEqual(await collect(s.list('backups/')), ['backups/b1/b1.tar.gz:' + big.length, 'backups/b1/skiff-backup.json:7']);
    t.deepEqual(await s.listPrefixes('backups'), ['b1']);
    // s3rver 3.7.1 prunes its directory walk below a delimiter, so at the root it reports only
    // "directories" that hold an object directly; real S3, MinIO and Swift report every one
    await s.put('metadata/version', Buffer.from('1'));
    t.true((await s.listPrefixes('')).includes('metadata'));
    await s.delete('metadata/version');
    t.false((await s.listPrefixes('/')).includes('metadata'));
    await s.delete('restores/r1/restore-r1-logs.gz');
    t.false(await s.exists('restores/r1/restore-r1-logs.gz'));
    const missing = await s.get('backups/b1/nope').catch((e: unknown) => e);
    t.true(missing instanceof SkiffError && missing.code === 'NotFound');
    t.regex((missing as Error).message, /team\/a\/backups\/b1\/nope in bucket bsl at http:\/\/127\.0\.0\.1:\d+/);
  });
  // the raw layout: the same bucket without a prefix sees team/a/...
  await withStore(bsl(), async (raw) => {
    t.true(await raw.exists('team/a/backups/b1/skiff-backup.json'));
  });
});

test('listPrefixes and deletePrefix over many names; deletePrefix takes a directory, batch-deletes and counts', async (t) => {
  await withStore(bsl({ prefix: 'paging' }), async (s) => {
    for (let i = 0; i < 25; i++) await s.put(`backups/b${String(i).padStart(2, '0')}/m.json`, Buffer.from(String(i)));
    await s.put('backups/b1x/m.json', Buffer.from('keep'));
    await s.put('backups/b1/a', Buffer.from('1'));
    await s.put('backups/b1/deep/b', Buffer.from('2'));
    const names = await s.listPrefixes('backups/');
    t.is(names.length, 27);
    t.true(names.includes('b1') && names.includes('b1x') && names.includes('b24'));
    t.is(await s.deletePrefix('backups/b1'), 2, 'b1/ only, not b1x/');
    t.true(await s.exists('backups/b1x/m.json'));
    t.is(await s.deletePrefix('backups/'), 26);
    t.deepEqual(await s.listPrefixes(''), []);
    await t.throwsAsync(s.deletePrefix(''), { message: /refusing to delete everything/ });
  });
});

test('presigned GET URLs fetch the object without credentials', async (t) => {
  await withStore(bsl({ prefix: 'dl' }), async (s) => {
    await s.put('backups/b1/b1-logs.gz', Buffer.from('log lines'));
    const url = await s.presignGet('backups/b1/b1-logs.gz', 600);
    t.regex(url, /^http:\/\/127\.0\.0\.1:\d+\/bsl\/dl\/backups\/b1\/b1-logs\.gz\?.*X-Amz-Expires=600/);
    t.false(url.includes(SECRET));
    const res = await fetch(url);
    t.is(res.status, 200);
    t.is(await res.text(), 'log lines');
  });
});

test('validate: ok for Skiff layout, Config for foreign top-level dirs, missing bucket, bad spec; Transient naming the endpoint when unreachable', async (t) => {
  await withStore(bsl({ bucket: 'empty' }), (s) => s.validate());
  await withStore(bsl({ bucket: 'shared' }), async (s) => {
    await s.put('backups/x/y', Buffer.from('1'));
    await s.put('fsb/ns/config', Buffer.from('1'));
    await s.validate();
    for (const d of ['photos', 'tmp', 'velero', 'zz']) await s.put(`${d}/file`, Buffer.from('1'));
    const err = await s.validate().catch((e: unknown) => e);
    t.true(err instanceof SkiffError && err.code === 'Config');
    t.is((err as Error).message, 's3://shared contains invalid top-level directories: [photos, tmp, velero, ... (4 in all)] (Skiff expects only backups, restores, fsb, metadata)');
  });
  const noBucket = await withStore(bsl({ bucket: 'nope' }), (s) => s.validate()).catch((e: unknown) => e);
  t.true(noBucket instanceof SkiffError && noBucket.code === 'Config');
  t.regex((noBucket as Error).message, /bucket nope does not exist at http:\/\/127\.0\.0\.1:\d+/);

  const down = await withStore(bsl({ s3Url: 'http://127.0.0.1:1' }), (s) => s.validate()).catch((e: unknown) => e);
  t.true(down instanceof SkiffError && down.code === 'Transient');
  t.is((down as Error).message, 'cannot reach http://127.0.0.1:1: ECONNREFUSED');

  const denied = await withStore(bsl(), (s) => s.validate(), 'WRONGKEY').catch((e: unknown) => e);
  t.true(denied instanceof SkiffError && denied.code === 'Auth', String(denied));
  t.false((denied as Error).message.includes(SECRET));

  t.throws(() => objectStoreForBsl({ ...bsl(), spec: { ...bsl().spec, provider: 'gcp' } }, credFile()), { message: /provider "gcp" is not supported/ });
  t.throws(() => objectStoreForBsl(bsl({ bucket: 'a/b' }), credFile()), { message: /must not contain '\/'/ });
  t.throws(() => objectStoreForBsl(bsl({ s3Url: 'not a url' }), credFile()), { message: /config.s3Url "not a url" is not a URL/ });
  t.throws(() => objectStoreForBsl(bsl({ profile: 'prod' }), credFile()), { message: /no profile \[prod\]/ });
  const badCa = { ...bsl(), spec: { ...bsl().spec, objectStorage: { bucket: 'bsl', caCert: Buffer.from('hello').toString('base64') } } };
  t.throws(() => objectStoreForBsl(badCa, credFile()), { message: /caCert is not a base64-encoded PEM bundle/ });
});
