import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import { isCode } from '../../repository/index.ts';
import { TarballWriter } from '../backup/index.ts';
import { locateItem, readBackupTarball } from './backup-contents.ts';
import { backupTarballGz, tarBuffer } from './testing/tarball.ts';

test('locateItem parses both scopes and the versioned copies', (t) => {
  t.deepEqual(locateItem('resources/deployments.apps/namespaces/app/web.json'), { groupResource: 'deployments.apps', namespace: 'app', name: 'web', rank: 0 });
  t.deepEqual(locateItem('resources/namespaces/cluster/app.json'), { groupResource: 'namespaces', namespace: undefined, name: 'app', rank: 0 });
  t.deepEqual(locateItem('resources/pods/v1-preferredversion/namespaces/a/p.json'), { groupResource: 'pods', namespace: 'a', name: 'p', rank: 1, preferredVersion: 'v1' });
  t.deepEqual(locateItem('./resources/pods/v2/cluster/x.json'), { groupResource: 'pods', namespace: undefined, name: 'x', rank: 2 });
  t.is(locateItem('metadata/version'), undefined);
  t.is(locateItem('resources/pods/namespaces/a/p.yaml'), undefined);
  t.is(locateItem('resources/pods/namespaces/p.json'), undefined);
});

test('groups items by resource and reads the format version', async (t) => {
  const gz = backupTarballGz([
    { groupResource: 'namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } } },
    { groupResource: 'configmaps', namespace: 'app', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'app' } } },
    { groupResource: 'configmaps', namespace: 'app', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'app' } } },
  ]);
  const contents = await readBackupTarball(Readable.from([gz]));
  t.is(contents.formatVersion, '1.1.0');
  t.deepEqual([...contents.resources.keys()].sort(), ['configmaps', 'namespaces']);
  t.deepEqual(contents.resources.get('configmaps')?.map((i) => `${i.namespace}/${i.name}`), ['app/a', 'app/b']);
  t.is(contents.resources.get('namespaces')?.[0]?.namespace, undefined);
  t.deepEqual(contents.problems, []);
});

test('the version-less copy wins over versioned ones; a versioned-only item is still read', async (t) => {
  const tar = tarBuffer([
    { path: 'resources/pods/v1-preferredversion/namespaces/a/p.json', data: '{"v":"preferred"}' },
    { path: 'resources/pods/namespaces/a/p.json', data: '{"v":"legacy"}' },
    { path: 'resources/pods/v2/namespaces/a/q.json', data: '{"v":"other"}' },
    { path: 'resources/pods/v1-preferredversion/namespaces/a/q.json', data: '{"v":"preferred"}' },
  ]);
  const contents = await readBackupTarball(Readable.from([gzipSync(tar)]));
  const pods = contents.resources.get('pods') ?? [];
  t.deepEqual(pods.map((p) => [p.name, p.object['v']]).sort(), [
    ['p', 'legacy'],
    ['q', 'preferred'],
  ]);
  t.deepEqual([...contents.versions], [['pods', 'v1']]);
});

test('bad JSON is reported as a problem, not a failure', async (t) => {
  const tar = tarBuffer([
    { path: 'resources/pods/namespaces/a/bad.json', data: '{nope' },
    { path: 'resources/pods/namespaces/a/arr.json', data: '[1]' },
    { path: 'resources/pods/odd.json', data: '{}' },
  ]);
  const contents = await readBackupTarball(Readable.from([gzipSync(tar)]));
  t.is(contents.resources.size, 0);
  t.is(contents.problems.length, 3);
});

test('a corrupt gzip stream rejects with Integrity', async (t) => {
  const gz = backupTarballGz([{ groupResource: 'pods', namespace: 'a', object: { metadata: { name: 'p' } } }]);
  gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff; // CRC
  const err = await t.throwsAsync(readBackupTarball(Readable.from([gz])));
  t.true(isCode(err, 'Integrity'), String(err));
});

test("reads what the backup side's TarballWriter writes", async (t) => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const w = new TarballWriter(out);
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'app' } };
  await w.add({ group: 'apps', resource: 'deployments', version: 'v1', kind: 'Deployment', namespace: 'app', name: 'web', object: deployment });
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } };
  await w.add({ group: '', resource: 'namespaces', version: 'v1', kind: 'Namespace', name: 'app', object: ns });
  await w.finish();
  out.end();
  const contents = await readBackupTarball(Readable.from([gzipSync(Buffer.concat(chunks))]));
  t.is(contents.formatVersion, '1.1.0');
  t.deepEqual(contents.resources.get('deployments.apps')?.map((i) => [i.namespace, i.name, i.object]), [['app', 'web', deployment]]);
  t.deepEqual(contents.resources.get('namespaces')?.map((i) => [i.namespace, i.name]), [[undefined, 'app']]);
});
