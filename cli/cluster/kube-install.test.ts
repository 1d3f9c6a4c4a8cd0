// `skiff install`/`uninstall` against a real kube-apiserver 1.20 (test/kube), and the RBAC it
// installs, exercised with the service accounts' own tokens.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ApiException, AppsV1Api, AuthorizationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import test from 'ava';
import { KINDS, crdName } from '../../crds/index.ts';
import { NAMES, clusterRoleNames } from '../../daemonset/index.ts';
import { type ControlPlane, bindPod, createNode, kubectl, kubectlPath, markPodRunning, pollUntil, startControlPlane } from '../../test/kube/index.ts';
import { kubeTestsEnabled } from '../../test/kube/gate.ts';
import { makeLogger } from '../../controller/runtime/index.ts';
import { runServer } from '../../controller/server.ts';
import { connectKube, loadKubeConfig } from './kube.ts';
import { runSkiff } from './testing/run-skiff.ts';
import { installForTest, type TestInstall } from './testing/service-account.ts';

let cp: ControlPlane | undefined;
let work = '';
let installed: TestInstall | undefined;
const CREDS = '[default]\naws_access_key_id=AKIDTEST\naws_secret_access_key=not-a-real-secret\n';

const plane = (): ControlPlane => cp ?? (() => { throw new Error('no control plane'); })();
const admin = () => connectKube({ kubeconfig: plane().kubeconfigPath, namespace: 'skiff' }, {});
const installArgs = () => ['--bucket', 'bk', '--prefix', 'c1', '--s3-url', 'http://127.0.0.1:9', '--region', 'minio', '--s3-force-path-style', '--secret-file', path.join(work, 'creds'), '--use-node-agent'];

async function status(fn: () => Promise<unknown>): Promise<number> {
  try {
    await fn();
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

async function can(kc: KubeConfig, attrs: { verb: string; group?: string; resource: string; namespace?: string; subresource?: string }): Promise<boolean> {
  const api = kc.makeApiClient(AuthorizationV1Api);
  const res = await api.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: attrs } } });
  return res.status?.allowed === true;
}

if (kubeTestsEnabled('skiff install tests')) {
  test.before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'skiff-install-kube-'));
    await writeFile(path.join(work, 'creds'), CREDS);
    cp = await startControlPlane();
  });
  test.after.always(async () => {
    await cp?.stop();
  });

  // Without kubectl: a loudly titled skip locally; in CI the test runs and fails on the missing binary.
  const withKubectl = kubectlPath() !== undefined || process.env['CI'] === 'true';
  if (!withKubectl) console.warn('[skiff] SKIPPED kubectl apply test: no kubectl (set KUBECTL)');
  (withKubectl ? test.serial : test.serial.skip)('kubectl apply -f of the CRDs from `skiff install --dry-run -o yaml` succeeds on kube-apiserver 1.20', async (t) => {
    const r = await runSkiff(['install', '--dry-run', '-o', 'yaml', '--crds-only']);
    t.is(r.code, 0, r.stderr);
    const file = path.join(work, 'crds.yaml');
    await writeFile(file, r.stdout);
    const applied = await kubectl(plane().kubeconfigPath, ['apply', '-f', file]);
    t.is(applied.code, 0, applied.stderr);
    for (const kind of KINDS) t.regex(applied.stdout, new RegExp(`customresourcedefinition.apiextensions.k8s.io/${crdName(kind)} (created|configured|unchanged)`));
    const wait = await kubectl(plane().kubeconfigPath, ['wait', '--for=condition=Established', '--timeout=30s', ...KINDS.map((k) => `crd/${crdName(k)}`)]);
    t.is(wait.code, 0, wait.stderr);
    // the full dry-run output (not only the CRDs) passes the API server's validation too
    t.is((await kubectl(plane().kubeconfigPath, ['create', 'namespace', 'dry'])).code, 0);
    const full = await runSkiff(['install', '--dry-run', '-o', 'yaml', '--use-node-agent', '-n', 'dry', '--bucket', 'b', '--no-secret']);
    await writeFile(file, full.stdout);
    const check = await kubectl(plane().kubeconfigPath, ['apply', '--dry-run=server', '-f', file]);
    t.is(check.code, 0, check.stderr);
    t.regex(check.stdout, /daemonset.apps\/node-agent created \(server dry run\)/);
    t.regex(check.stdout, /backupstoragelocation.skiff.dev\/default created \(server dry run\)/);
  });

  test.serial('skiff install creates everything, and a second run succeeds without changing the repository password', async (t) => {
    installed = await installForTest(plane(), installArgs());
    const c = admin();
    const roles = clusterRoleNames('skiff');
    const refs: [string, string, string, string?][] = [
      ['v1', 'Namespace', 'skiff'],
      ['v1', 'ServiceAccount', 'skiff', 'skiff'],
      ['v1', 'ServiceAccount', NAMES.nodeAgentServiceAccount, 'skiff'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole', roles.server],
      ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', roles.nodeAgent],
      ['rbac.authorization.k8s.io/v1', 'Role', NAMES.serverRole, 'skiff'],
      ['v1', 'Secret', 'cloud-credentials', 'skiff'],
      ['apps/v1', 'Deployment', 'skiff', 'skiff'],
      ['apps/v1', 'DaemonSet', 'node-agent', 'skiff'],
      ['skiff.dev/v1', 'BackupStorageLocation', 'default', 'skiff'],
      ...KINDS.map((k): [string, string, string] => ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', crdName(k)]),
    ];
    for (const [apiVersion, kind, name, namespace] of refs) {
      const obj = await c.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
      t.truthy(obj, `${kind}/${name}`);
    }
    const pwRef = { apiVersion: 'v1', kind: 'Secret', metadata: { name: NAMES.repositorySecret, namespace: 'skiff' } };
    const pw1 = (await c.read<{ data: Record<string, string> }>(pwRef))?.data[NAMES.repositoryKey];
    t.is(Buffer.from(Buffer.from(pw1 ?? '', 'base64').toString(), 'base64').length, 32);
    const bsl = await c.get<{ metadata: object; spec: { config: Record<string, string>; default: boolean } }>('backupstoragelocations', 'default');
    t.deepEqual(bsl?.spec.config, { region: 'minio', s3Url: 'http://127.0.0.1:9', s3ForcePathStyle: 'true' });

    const again = await runSkiff(['install', '--kubeconfig', plane().kubeconfigPath, ...installArgs(), '--image', 'example.com/skiff:next']);
    t.is(again.code, 0, again.stderr);
    t.regex(again.stdout, /Secret\/skiff-repo-credentials: exists, kept/);
    t.is((await c.read<{ data: Record<string, string> }>(pwRef))?.data[NAMES.repositoryKey], pw1);
    const d = await c.read<{ spec: { template: { spec: { containers: { image: string }[] } } } }>({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'skiff', namespace: 'skiff' } });
    t.is(d?.spec.template.spec.containers[0]?.image, 'example.com/skiff:next');
  });

  test.serial('the server service account: backups, its Secrets, cluster-wide reads and restores; no deleting nodes', async (t) => {
    if (installed === undefined) return t.fail('install did not run');
    const kc = loadKubeConfig({ kubeconfig: installed.serverKubeconfig }, {});
    t.is(kc.getCurrentUser()?.name, 'system:serviceaccount:skiff:skiff');
    // through the CLI, with the service account's token
    const created = await runSkiff(['backup', 'create', 'sa-made', '--include-namespaces', 'app', '--kubeconfig', installed.serverKubeconfig]);
    t.is(created.code, 0, created.stderr);
    const got = await runSkiff(['backup', 'get', '-o', 'json', '--kubeconfig', installed.serverKubeconfig]);
    t.is(got.code, 0, got.stderr);
    t.deepEqual((JSON.parse(got.stdout) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name), ['sa-made']);
    const custom = kc.makeApiClient(CustomObjectsApi);
    t.is(await status(() => custom.deleteNamespacedCustomObject({ group: 'skiff.dev', version: 'v1', namespace: 'skiff', plural: 'backups', name: 'sa-made' })), 200);
    const core = kc.makeApiClient(CoreV1Api);
    const secret = await core.readNamespacedSecret({ name: NAMES.repositorySecret, namespace: 'skiff' });
    t.truthy(secret.data?.[NAMES.repositoryKey]);
    t.is(await status(() => core.listPodForAllNamespaces()), 200);
    t.is(await status(() => kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces()), 200);
    t.is(await status(() => core.createNamespace({ body: { metadata: { name: 'restored-by-sa' } } })), 200);
    t.is(await status(() => core.createNamespacedConfigMap({ namespace: 'restored-by-sa', body: { metadata: { name: 'cm' }, data: { a: '1' } } })), 200);
    t.is(await status(() => core.deleteNode({ name: 'any-node' })), 403);
    t.is(await status(() => core.deleteNamespace({ name: 'restored-by-sa' })), 403);
    t.true(await can(kc, { verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'skiff' }));
    t.false(await can(kc, { verb: 'delete', resource: 'secrets', namespace: 'skiff' }));
    t.false(await can(kc, { verb: 'delete', resource: 'pods', namespace: 'default' }));
    t.false(await can(kc, { verb: 'delete', group: 'skiff.dev', resource: 'backups', namespace: 'default' }));
  });

  test.serial('the node agent service account: its work objects and one Secret, nothing more', async (t) => {
    if (installed?.nodeAgentKubeconfig === undefined) return t.fail('install did not run');
    const kc = loadKubeConfig({ kubeconfig: installed.nodeAgentKubeconfig }, {});
    const ns = 'skiff';
    t.true(await can(kc, { verb: 'list', resource: 'pods' }));
    t.true(await can(kc, { verb: 'watch', group: 'skiff.dev', resource: 'podvolumebackups', namespace: ns }));
    t.true(await can(kc, { verb: 'patch', group: 'skiff.dev', resource: 'podvolumerestores', subresource: 'status', namespace: ns }));
    t.true(await can(kc, { verb: 'create', group: 'skiff.dev', resource: 'backuprepositories', namespace: ns }));
    t.true(await can(kc, { verb: 'get', resource: 'secrets', namespace: ns }));
    t.false(await can(kc, { verb: 'list', resource: 'secrets', namespace: ns }));
    t.false(await can(kc, { verb: 'get', resource: 'secrets', namespace: 'default' }));
    t.false(await can(kc, { verb: 'create', group: 'skiff.dev', resource: 'backups', namespace: ns }));
    t.false(await can(kc, { verb: 'create', resource: 'pods', namespace: 'default' }));
    const core = kc.makeApiClient(CoreV1Api);
    t.is(await status(() => core.readNamespacedSecret({ name: NAMES.repositorySecret, namespace: ns })), 200);
    t.is(await status(() => core.listNamespacedSecret({ namespace: ns })), 403);
  });

  test.serial('skiff server runs as the installed service account: leader Lease, readiness, BSL status writes', async (t) => {
    if (installed === undefined) return t.fail('install did not run');
    const warnings: string[] = [];
    const log = makeLogger({ level: 'warn', base: { component: 'server' }, destination: { write: (s: string) => void warnings.push(s) } });
    const server = await runServer({ kubeconfig: installed.serverKubeconfig, namespace: 'skiff', leaderElect: true, healthPort: 0, log });
    try {
      await pollUntil('the server to lead and be ready', async () => (server.isLeader() && server.ready() ? true : undefined), { timeoutMs: 20_000 });
      // the BSL reconciler validates `default` (its S3 endpoint is closed) and writes the verdict to status
      const phase = await pollUntil(
        'the default location to be validated',
        async () => (await admin().get<{ metadata: object; status?: { phase?: string } }>('backupstoragelocations', 'default'))?.status?.phase,
        { timeoutMs: 20_000 },
      );
      t.is(phase, 'Unavailable');
    } finally {
      await server.stop();
    }
    t.deepEqual(warnings.filter((w) => /forbidden|403/i.test(w)), []);
  });

  test.serial('install --wait returns once the Deployment and DaemonSet are ready (pods played by the node simulator)', async (t) => {
    const kc = plane().kubeConfig();
    // The same image as the install before: with a changed template the DaemonSet controller would
    // replace the pod, and a bound pod never finishes terminating without a kubelet.
    await createNode(kc, 'node-1');
    const waiting = runSkiff(['install', '--kubeconfig', plane().kubeconfigPath, ...installArgs(), '--image', 'example.com/skiff:next', '--wait', '--timeout', '60']);
    const core = kc.makeApiClient(CoreV1Api);
    for (const component of ['server', 'node-agent']) {
      const name = await pollUntil(
        `a ${component} pod`,
        async () => {
          const pods = await core.listNamespacedPod({ namespace: 'skiff', labelSelector: `app.kubernetes.io/component=${component}` });
          const current = pods.items.filter((p) => p.metadata?.deletionTimestamp === undefined && p.spec?.containers[0]?.image === 'example.com/skiff:next');
          return current.length === 1 ? current[0]?.metadata?.name : undefined;
        },
        { timeoutMs: 30_000 },
      );
      await bindPod(kc, 'skiff', name, 'node-1').catch(() => undefined); // DaemonSet pods may be bound already
      await markPodRunning(kc, 'skiff', name);
    }
    const r = await waiting;
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /Deployment\/skiff: ready/);
    t.regex(r.stdout, /DaemonSet\/node-agent: ready/);
  });

  test.serial('skiff version reports the installed server version', async (t) => {
    const r = await runSkiff(['version', '--kubeconfig', plane().kubeconfigPath]);
    t.is(r.code, 0);
    t.regex(r.stdout, /Server: \d+\.\d+\.\d+ \(image example\.com\/skiff:next\)/);
  });

  test.serial('uninstall --force --wait removes the namespace, CRDs and cluster roles', async (t) => {
    // a second install in a namespace with no running pods (there is no kubelet to confirm pod deletion)
    await installForTest(plane(), ['--no-secret'], 'skiff-gone');
    const r = await runSkiff(['uninstall', '--force', '--wait', '--timeout', '90', '-n', 'skiff-gone', '--kubeconfig', plane().kubeconfigPath]);
    t.is(r.code, 0, r.stderr);
    const c = admin();
    t.is(await c.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'skiff-gone' } }), undefined);
    t.is(await c.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crdName('Backup') } }), undefined);
    t.is(await c.read({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: clusterRoleNames('skiff-gone').server } }), undefined);
    const refused = await runSkiff(['uninstall', '-n', 'skiff', '--kubeconfig', plane().kubeconfigPath]);
    t.not(refused.code, 0);
    t.regex(refused.stderr, /--force/);
  });
}
