import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import test from 'ava';
import { type ControlPlane, startControlPlane } from './control-plane.ts';
import { kubeTestsEnabled } from './gate.ts';
import { kubectl, kubectlPath } from './kubectl.ts';
import { bindPod, createNode, markPodRunning } from './node-simulator.ts';
import { httpsGet, pollUntil } from './wait.ts';

let cp: ControlPlane | undefined;

function plane(): ControlPlane {
  if (cp === undefined) throw new Error('control plane not started');
  return cp;
}

if (kubeTestsEnabled('kube control-plane tests')) {
  test.before(async () => {
    cp = await startControlPlane();
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

    await core.createNamespace({ body: { metadata: { name: 'sim' } } });
    // Pod admission needs the namespace's default service account and its token (controller manager).
    await pollUntil('service account sim/default with a token', async () => {
      const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'sim' });
      return (sa.secrets ?? []).length > 0 ? true : undefined;
    });
    await core.createNamespacedPod({
      namespace: 'sim',
      body: {
        metadata: { name: 'web' },
        spec: {
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

  const kubectlTest = kubectlPath() === undefined ? test.skip : test;
  kubectlTest(`kubectl works with the generated kubeconfig${kubectlPath() === undefined ? ' (SKIPPED: no kubectl)' : ''}`, async (t) => {
    const r = await kubectl(plane().kubeconfigPath, ['get', 'namespace', 'kube-system', '-o', 'name']);
    t.is(r.code, 0, r.stderr);
    t.is(r.stdout.trim(), 'namespace/kube-system');
  });
}
