import test from 'ava';
import { SkiffError } from '../errors/errors.ts';
import { cleanPath, parseRepositoryUrl } from './url.ts';

const cases: Array<[string, ReturnType<typeof parseRepositoryUrl>]> = [
  ['/srv/backups/repo', { kind: 'local', path: '/srv/backups/repo' }],
  ['relative/repo', { kind: 'local', path: 'relative/repo' }],
  ['local:/srv/repo', { kind: 'local', path: '/srv/repo' }],
  ['local:rel', { kind: 'local', path: 'rel' }],
  ['s3:http://127.0.0.1:9000/bucket/my/prefix', { kind: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'bucket', prefix: 'my/prefix', forcePathStyle: true, tls: false }],
  ['s3:https://minio.example.com/bucket/p//q/', { kind: 's3', endpoint: 'https://minio.example.com', bucket: 'bucket', prefix: 'p/q', forcePathStyle: true, tls: true }],
  ['s3://minio.example.com:9000/bucket/prefix', { kind: 's3', endpoint: 'https://minio.example.com:9000', bucket: 'bucket', prefix: 'prefix', forcePathStyle: true, tls: true }],
  ['s3:ceph.local/bucket', { kind: 's3', endpoint: 'https://ceph.local', bucket: 'bucket', prefix: '', forcePathStyle: true, tls: true }],
  ['s3:ceph.local/bucket/', { kind: 's3', endpoint: 'https://ceph.local', bucket: 'bucket', prefix: '', forcePathStyle: true, tls: true }],
  ['s3:s3.amazonaws.com/bucket/prefix', { kind: 's3', bucket: 'bucket', prefix: 'prefix', forcePathStyle: false, tls: true }],
  ['s3:https://s3.amazonaws.com/bucket', { kind: 's3', bucket: 'bucket', prefix: '', forcePathStyle: false, tls: true }],
  ['s3:s3.eu-west-1.amazonaws.com/b/x/./y', { kind: 's3', bucket: 'b', prefix: 'x/y', forcePathStyle: false, tls: true, region: 'eu-west-1' }],
  ['s3:s3-us-west-2.amazonaws.com/b', { kind: 's3', bucket: 'b', prefix: '', forcePathStyle: false, tls: true, region: 'us-west-2' }],
  ['s3:http://s3.amazonaws.com/b', { kind: 's3', endpoint: 'http://s3.amazonaws.com', bucket: 'b', prefix: '', forcePathStyle: true, tls: false }],
];

for (const [url, want] of cases) {
  test(`url: ${url}`, (t) => {
    t.deepEqual(parseRepositoryUrl(url), want);
  });
}

const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['s3:', /no host/],
  ['s3:host', /no bucket/],
  ['s3:host/', /no bucket/],
  ['s3:http://host:9000', /no bucket/],
  ['s3://', /no host/],
  ['sftp:user@host:/srv/repo', /^backend sftp is not supported/],
  ['rest:http://host/', /^backend rest is not supported/],
  ['local:', /needs a path/],
];

for (const [url, re] of bad) {
  test(`url: ${JSON.stringify(url)} is a Config error`, (t) => {
    const err = t.throws(() => parseRepositoryUrl(url), { instanceOf: SkiffError });
    t.is(err?.code, 'Config');
    t.regex(err?.message ?? '', re);
  });
}

test('url: cleanPath follows Go path.Clean', (t) => {
  t.is(cleanPath('a//b/'), 'a/b');
  t.is(cleanPath('a/./b/../c'), 'a/c');
  t.is(cleanPath('./'), '');
  t.is(cleanPath('../a'), '../a');
  t.is(cleanPath('/x/'), '/x');
  t.is(cleanPath('/../x'), '/x');
});
