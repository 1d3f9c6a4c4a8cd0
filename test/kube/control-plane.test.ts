import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import test from 'ava';
import { API_VERSION, type Backup, GROUP, PLURALS, type PodVolumeBackup, VERSION } from '../../crds/index.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { kubeTestsEnabled } from './gate.ts';
import { kubectl, kubectlPath } from './kubectl.ts';
import { bindPod, createNode, markPodRunning } from './node-simulator.ts';
import { httpsGet, pollUntil } from './wait.ts';

let cp: ControlPlane | undefined;

/** Creates a namespace and waits for its default service account's token, which pod admission needs. */
async function createNamespace(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
  await pollUntil(`service account ${name}/default with a token`, async () => {
    const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
    return (sa.secrets ?? []).length > 0 ? true : undefined;
  });
}

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane not started');
  return cp;
}

if (kubeTestsEnabled('kube control-plane tests')) {
  test.before(async () => {
    cp = await startControlPlane({ scheduler: true, crds: true });
  });
  test.after.always(async () => {
    const crash = cp?.crashReport();
    await cp?.stop();
    if (crash !== undefined) throw new Error(`control plane component crashed during the tests: ${crash}`);
  });

  test('the API server requires the admin token and serves the trusted certificate', async (t) => {
    const { server, caFile, adminToken } = plane();
    t.is((await httpsGet(`${server}/api/v1/namespaces`, caFile, adminToken)).status, 200);
    t.is((await httpsGet(`${server}/api/v1/namespaces`, caFile, 'wrong-token')).status, 401);
  });

  test('RBAC is on: a service account without bindings is forbidden', async (t) => {
    const core = plane().kubeConfig().makeApiClient(CoreV1Api);
    const sa = await pollUntil('a token for default/default', async () => {
      const secrets = await core.listNamespacedSecret({ namespace: 'default', fieldSelector: 'type=kubernetes.io/service-account-token' });
      return secrets.items.find((s) => s.metadata?.annotations?.['kubernetes.io/service-account.name'] === 'default');
    });
    const token = Buffer.from(sa.data?.['token'] ?? '', 'base64').toString('utf8');
    t.true(token.length > 0);
    const res = await httpsGet(`${plane().server}/api/v1/namespaces/kube-system/secrets`, plane().caFile, token);
    t.is(res.status, 403, 'authenticated (not 401) but not authorized');
  });

  test('node simulator: a Ready node, and a pod bound to it patched Running', async (t) => {
    const kc = plane().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const node = await createNode(kc, 'node-a');
    t.is(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    t.deepEqual(node.spec?.taints ?? [], [], 'schedulable');
    await createNamespace(core, 'sim');
    await core.createNamespacedPod({
      namespace: 'sim',
      body: {
        metadata: { name: 'web' },
        spec: {
          schedulerName: 'none', // bound by hand below, not by kube-scheduler
          initContainers: [{ name: 'init', image: 'busybox' }],
          containers: [
            { name: 'app', image: 'nginx' },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
    });
    t.is((await core.readNamespacedPod({ name: 'web', namespace: 'sim' })).status?.phase, 'Pending');

    await bindPod(kc, 'sim', 'web', 'node-a');
    const bound = await core.readNamespacedPod({ name: 'web', namespace: 'sim' });
    t.is(bound.spec?.nodeName, 'node-a');

    await markPodRunning(kc, 'sim', 'web');
    const pod = await core.readNamespacedPod({ name: 'web', namespace: 'sim' });
    t.is(pod.status?.phase, 'Running');
    t.deepEqual(
      pod.status?.containerStatuses?.map((c) => [c.name, c.ready, c.state?.running !== undefined]),
      [
        ['app', true, true],
        ['sidecar', true, true],
      ],
    );
    t.is(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
    t.is(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');

    const podsOnNode = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-a' });
    t.deepEqual(
      podsOnNode.items.map((p) => p.metadata?.name),
      ['web'],
    );

    const again = await bindPod(kc, 'sim', 'web', 'node-a').then(
      () => undefined,
      (err: unknown) => err,
    );
    t.true(again instanceof ApiException && again.code === 409, 'a bound pod cannot be bound again');
  });

  test('kube-scheduler binds a pod to a simulated node', async (t) => {
    const kc = plane().kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    await createNode(kc, 'node-b', { labels: { pool: 'b' } });
    await createNamespace(core, 'sched');
    await core.createNamespacedPod({
      namespace: 'sched',
      body: { metadata: { name: 'p' }, spec: { nodeSelector: { pool: 'b' }, containers: [{ name: 'c', image: 'busybox' }] } },
    });
    const nodeName = await pollUntil('the scheduler to bind sched/p', async () => (await core.readNamespacedPod({ name: 'p', namespace: 'sched' })).spec?.nodeName);
    t.is(nodeName, 'node-b');
  });

  test('the garbage collector deletes a PodVolumeBackup whose owning Backup is deleted', async (t) => {
    const api = plane().kubeConfig().makeApiClient(CustomObjectsApi);
    const at = { group: GROUP, version: VERSION, namespace: 'default' };
    const backup = (await api.createNamespacedCustomObject({
      ...at,
      plural: PLURALS.Backup,
      body: { apiVersion: API_VERSION, kind: 'Backup', metadata: { name: 'owner' }, spec: {} } satisfies Backup,
    })) as Backup;
    const owner = { apiVersion: API_VERSION, kind: 'Backup', name: 'owner', uid: backup.metadata.uid ?? '', controller: true };
    const pvb: PodVolumeBackup = {
      apiVersion: API_VERSION,
      kind: 'PodVolumeBackup',
      metadata: { name: 'owner-1', ownerReferences: [owner] },
      spec: { node: 'node-a', pod: { namespace: 'sim', name: 'web' }, volume: 'data', backupStorageLocation: 'default', repoIdentifier: 's3:http://x/b/fsb/sim' },
    };
    await api.createNamespacedCustomObject({ ...at, plural: PLURALS.PodVolumeBackup, body: pvb });
    await api.deleteNamespacedCustomObject({ ...at, plural: PLURALS.Backup, name: 'owner' });
    const gone = await pollUntil(
      'the PodVolumeBackup to be collected',
      async () =>
        api.getNamespacedCustomObject({ ...at, plural: PLURALS.PodVolumeBackup, name: 'owner-1' }).then(
          () => undefined,
          (err: unknown) => (err instanceof ApiException && err.code === 404 ? true : Promise.reject(err)),
        ),
      { timeoutMs: 20_000 },
    );
    t.true(gone);
  });

  const kubectlTest = kubectlPath() === undefined && process.env['CI'] !== 'true' ? test.skip : test; // CI never skips
  kubectlTest(`kubectl works with the generated kubeconfig${kubectlPath() === undefined ? ' (SKIPPED: no kubectl)' : ''}`, async (t) => {
    const r = await kubectl(plane().kubeconfigPath, ['get', 'namespace', 'kube-system', '-o', 'name']);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout.trim(), 'namespace/kube-system');
  });
}
