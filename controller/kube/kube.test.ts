import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { Backup } from '../../crds/index.ts';
import { SkiffError } from '../../repository/errors/errors.ts';
import { type ControlPlane, installCrds, startControlPlane } from '../../test/kube/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { Informer, type ListWatchSource } from '../runtime/informer.ts';
import { memoryLogger } from '../runtime/logger.ts';
import type { KubeObject } from '../runtime/types.ts';
import { KubeApiError, isAlreadyExists, isConflict } from './api-error.ts';
import { DynamicClient, makeDynamicClient } from './dynamic-client.ts';
import { loadKubeConfig } from './kubeconfig.ts';
import { RestClient } from './rest.ts';
import { readSecret } from './secrets.ts';
import { makeSkiffClient } from './skiff-client.ts';

let cp: ControlPlane | undefined;
let dyn: DynamicClient | undefined;

function plane(): { cp: ControlPlane; dyn: DynamicClient } {
  if (cp === undefined || dyn === undefined) throw new Error('control plane not started');
  return { cp, dyn };
}

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };
const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };
const SECRETS = { group: '', version: 'v1', resource: 'secrets' };

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (kubeTestsEnabled('controller/kube tests')) {
  test.before(async () => {
    cp = await startControlPlane({ controllerManager: false });
    const kc = cp.kubeConfig();
    await installCrds(kc);
    dyn = makeDynamicClient(kc);
    for (const name of ['skiff', 'paging', 'informer']) await dyn.resource(NAMESPACES).create({ metadata: { name } });
  });
  test.after.always(async () => {
    const crash = cp?.crashReport();
    await cp?.stop();
    if (crash !== undefined) throw new Error(`control plane crashed: ${crash}`);
  });

  test('loadKubeConfig: --kubeconfig, KUBECONFIG, in-cluster, and clear errors', (t) => {
    const { cp: c } = plane();
    const flag = loadKubeConfig({ kubeconfig: c.kubeconfigPath, env: {} });
    t.is(flag.source, 'flag');
    t.is(flag.kc.getCurrentCluster()?.server, c.server);
    t.is(loadKubeConfig({ env: { KUBECONFIG: `${c.kubeconfigPath}${path.delimiter}/nonexistent` } }).source, 'env');
    const inCluster = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' } });
    t.is(inCluster.source, 'in-cluster');
    t.is(inCluster.kc.getCurrentCluster()?.server, 'https://10.0.0.1:443');
    t.throws(() => loadKubeConfig({ env: {}, home: '/nonexistent' }), { message: /no Kubernetes configuration: use --kubeconfig, set KUBECONFIG, or run in a cluster/ });
    t.throws(() => loadKubeConfig({ kubeconfig: '/nope/config' }), { message: '--kubeconfig: kubeconfig file /nope/config does not exist' });
    t.throws(() => loadKubeConfig({ kubeconfig: c.kubeconfigPath, context: 'other' }), { message: 'kubeconfig has no context other' });
  });

  test('SkiffClient: create, get, list by label, merge patch, status subresource, conflicts, delete', async (t) => {
    const client = makeSkiffClient(plane().dyn, 'skiff');
    const created = await client.create<Backup>('backups', {
      metadata: { name: 'b1', labels: { team: 'a' } },
      spec: { includedNamespaces: ['app'], ttl: '720h0m0s' },
    } as unknown as Backup);
    t.is(created.kind, 'Backup', 'apiVersion and kind filled in');
    t.is(created.metadata.namespace, 'skiff');
    await client.create<Backup>('backups', { apiVersion: 'skiff.dev/v1', kind: 'Backup', metadata: { name: 'b2' }, spec: {} });
    const again = await client.create<Backup>('backups', { metadata: { name: 'b1' }, spec: {} } as unknown as Backup).catch((e: unknown) => e);
    t.true(isAlreadyExists(again), String(again));
    t.is((again as SkiffError).code, 'Conflict');

    t.deepEqual((await client.list<Backup>('backups')).map((b) => b.metadata.name).sort(), ['b1', 'b2']);
    t.deepEqual((await client.list<Backup>('backups', { labelSelector: 'team=a' })).map((b) => b.metadata.name), ['b1']);

    const patched = await client.patch<Backup>('backups', 'b1', { spec: { ttl: '24h0m0s' }, status: { phase: 'Completed' } });
    t.is(patched.spec.ttl, '24h0m0s');
    t.deepEqual(patched.spec.includedNamespaces, ['app'], 'merge patch keeps other fields');
    t.is(patched.status, undefined, 'a spec patch does not write status');
    t.is(patched.metadata.generation, 2);

    const withStatus = await client.patchStatus<Backup>('backups', 'b1', { phase: 'InProgress', progress: { totalItems: 10, itemsBackedUp: 3 } });
    t.is(withStatus.status?.phase, 'InProgress');
    t.is(withStatus.metadata.generation, 2, 'a status write does not bump generation');
    const cleared = await client.patchStatus<Backup>('backups', 'b1', { progress: null, phase: 'Completed' });
    t.deepEqual(cleared.status, { phase: 'Completed' }, 'null removes a status field');
    t.is((await client.get<Backup>('backups', 'b1'))?.status?.phase, 'Completed');

    const stale = await client.patch('backups', 'b1', { metadata: { resourceVersion: created.metadata.resourceVersion }, spec: { ttl: '1h0m0s' } }).catch((e: unknown) => e);
    t.true(isConflict(stale), 'a merge patch with a stale resourceVersion conflicts');

    const missing = await client.patchStatus('backups', 'nope', { phase: 'Failed' }).catch((e: unknown) => e);
    t.true(missing instanceof KubeApiError && missing.code === 'NotFound' && missing.status === 404);

    await client.delete('backups', 'b1');
    await client.delete('backups', 'b1');
    t.is(await client.get('backups', 'b1'), undefined);
  });

  test('dynamic client: paginated list, iterate, cluster-scoped create/replace/delete, discovery', async (t) => {
    const { dyn: d } = plane();
    const cms = d.resource(CONFIGMAPS, 'paging');
    for (let i = 0; i < 7; i++) await cms.create({ metadata: { name: `cm-${i}`, labels: { n: String(i % 2) } } });
    const first = await cms.listPage({ limit: 3 });
    t.is(first.items.length, 3);
    t.truthy(first.continue);
    const second = await cms.listPage({ limit: 3, ...(first.continue === undefined ? {} : { continue: first.continue }) });
    t.is(second.items.length, 3);
    const all = await cms.list({ limit: 2 });
    t.deepEqual(all.items.map((c) => c.metadata.name).filter((n) => n?.startsWith('cm-')).sort(), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
    t.regex(all.resourceVersion, /^\d+$/);
    const odd: string[] = [];
    for await (const c of cms.iterate({ limit: 2, labelSelector: 'n=1' })) odd.push(c.metadata.name ?? '');
    t.deepEqual(odd.sort(), ['cm-1', 'cm-3', 'cm-5']);
    const across = await d.resource(CONFIGMAPS).list({ fieldSelector: 'metadata.namespace=paging' });
    t.true(across.items.length >= 7, 'no namespace: across all namespaces');

    const ns = d.resource(NAMESPACES);
    const made = await ns.create({ metadata: { name: 'scratch', labels: { a: '1' } } });
    const replaced = await ns.replace({ ...made, metadata: { ...made.metadata, labels: { a: '2' } } });
    t.is(replaced.metadata.labels?.['a'], '2');
    const staleReplace = await ns.replace(made).catch((e: unknown) => e);
    t.true(isConflict(staleReplace));
    t.true(await ns.delete('scratch'));

    const groups = await d.serverPreferredResources();
    t.is(groups[0]?.groupVersion, 'v1', 'core group first');
    const find = (group: string, resource: string) => groups.find((g) => g.group === group)?.resources.find((r) => r.resource === resource);
    t.like(find('', 'pods'), { kind: 'Pod', namespaced: true, version: 'v1' });
    t.like(find('', 'nodes'), { kind: 'Node', namespaced: false });
    t.is(find('', 'pods/log'), undefined, 'no subresources');
    t.like(find('apps', 'deployments'), { kind: 'Deployment', namespaced: true, version: 'v1' });
    t.like(find('skiff.dev', 'backups'), { kind: 'Backup', version: 'v1', namespaced: true });
    t.true(find('', 'configmaps')?.verbs.includes('list'));
    t.is(await d.serverResourcesForGroupVersion('nothing.example.com/v1'), undefined);
    t.regex((await d.serverVersion()).gitVersion, /^v1\.\d+/);
  });

  test('secrets are read decoded and print redacted', async (t) => {
    const { dyn: d } = plane();
    await d.resource(SECRETS, 'skiff').create({ metadata: { name: 'creds' }, data: { cloud: Buffer.from('[default]\nkey=v').toString('base64') } } as KubeObject);
    const s = await readSecret(d, 'skiff', 'creds');
    t.is(s?.value('cloud')?.reveal().toString(), '[default]\nkey=v');
    t.is(JSON.stringify(s?.value('cloud')), '"[redacted]"');
    t.deepEqual(s?.keys, ['cloud']);
    t.regex(s?.resourceVersion ?? '', /^\d+$/);
    t.is(s?.value('other'), undefined);
    t.is(await readSecret(d, 'skiff', 'nope'), undefined);
  });

  test('errors: 401 with a bad token, and an unreachable server named in the message', async (t) => {
    const { cp: c } = plane();
    const kc = c.kubeConfig();
    const user = kc.getCurrentUser();
    if (user !== null) (user as { token?: string }).token = 'not-a-valid-token';
    const denied = await makeDynamicClient(kc).resource(NAMESPACES).list().catch((e: unknown) => e);
    t.true(denied instanceof KubeApiError && denied.code === 'Auth' && denied.status === 401, String(denied));

    const far = c.kubeConfig();
    const cluster = far.getCurrentCluster();
    if (cluster !== null) (cluster as { server: string }).server = 'https://127.0.0.1:1';
    const down = await new RestClient(far, { getRetries: 0 }).json({ method: 'GET', path: '/version' }).catch((e: unknown) => e);
    t.true(down instanceof KubeApiError && down.code === 'Transient');
    t.is((down as Error).message, 'GET /version: cannot reach the API server at https://127.0.0.1:1: ECONNREFUSED');
  });

  test('informer on the real API server: add/update/delete, and it survives a broken watch', async (t) => {
    const { cp: c } = plane();
    const cms = makeDynamicClient(c.kubeConfig()).resource(CONFIGMAPS, 'informer');
    await cms.create({ metadata: { name: 'before' } });
    // a source whose current watch the test can break, as a reset connection would
    let breakWatch: (() => void) | undefined;
    let watches = 0;
    const source: ListWatchSource<KubeObject> = {
      listPage: (o) => cms.listPage(o),
      watch: async (o, onEvent) => {
        watches++;
        const inner = new AbortController();
        o.signal?.addEventListener('abort', () => inner.abort(), { once: true });
        let broken = false;
        breakWatch = () => {
          broken = true;
          inner.abort();
        };
        await cms.watch({ ...o, signal: inner.signal }, onEvent);
        if (broken) throw new Error('connection reset by the test');
      },
    };
    const { log, entries } = memoryLogger();
    const inf = new Informer(source, { log, minBackoffMs: 50 });
    const seen: string[] = [];
    inf.on({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_a, o) => seen.push(`update ${o.metadata.name} ${(o as { data?: Record<string, string> }).data?.['v'] ?? ''}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await until('synced', () => (inf.hasSynced() && watches === 1 ? true : undefined));
    t.deepEqual(seen, ['add before']);
    await cms.create({ metadata: { name: 'x' } });
    await cms.patch('x', { data: { v: '1' } });
    await cms.delete('x');
    await until('three events', () => (seen.length >= 4 ? true : undefined));
    t.deepEqual(seen, ['add before', 'add x', 'update x 1', 'delete x']);

    breakWatch?.();
    await cms.create({ metadata: { name: 'during' } });
    await cms.patch('before', { data: { v: '2' } });
    await until('changes made while the watch was down', () => (seen.length >= 6 ? true : undefined));
    await until('a new watch', () => (watches >= 2 ? true : undefined));
    await cms.create({ metadata: { name: 'after' } });
    await until('events on the new watch', () => (seen.includes('add after') ? true : undefined));
    t.deepEqual(seen.slice(4).sort(), ['add after', 'add during', 'update before 2']);
    t.true(entries.some((e) => e.level === 'warn' && e.fields['err'] === 'connection reset by the test'));
    t.is(inf.lists, 2, 'the broken watch led to one new list');
    t.deepEqual(inf.keys().sort(), ['informer/after', 'informer/before', 'informer/during', 'informer/kube-root-ca.crt'].filter((k) => inf.get(k) !== undefined));
    ac.abort();
    await run;
  });

  test('a kubeconfig file written elsewhere works the same', async (t) => {
    const { cp: c } = plane();
    const file = path.join(c.dir, 'copy.kubeconfig');
    await writeFile(file, c.kubeConfig().exportConfig());
    const client = makeSkiffClient(loadKubeConfig({ kubeconfig: file }).kc, 'skiff');
    t.true(Array.isArray(await client.list('backupstoragelocations')));
  });
}
