import test from 'ava';
import { KINDS, crdName } from '../crds/index.ts';
import {
  NAMES,
  clusterRoleNames,
  installManifests,
  nodeAgentClusterRules,
  nodeAgentNamespaceRules,
  resolveInstallOptions,
  serverClusterRules,
  serverNamespaceRules,
  type Manifest,
  type PolicyRule,
  type RoleManifest,
  type SecretManifest,
  type WorkloadManifest,
} from './index.ts';

const base = { version: '9.8.7', namespace: 'skiff' };

function find<T extends Manifest>(ms: Manifest[], kind: string, name: string): T {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (m === undefined) throw new Error(`no ${kind}/${name} in ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(' ')}`);
  return m as T;
}

/** Walks a plain object by keys and array indexes. */
function at(obj: unknown, ...keys: (string | number)[]): unknown {
  let cur = obj;
  for (const k of keys) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

function allows(rules: PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups.includes(group) || r.apiGroups.includes('*')) &&
      (r.resources.includes(resource) || r.resources.includes('*')) &&
      (r.verbs.includes(verb) || r.verbs.includes('*')),
  );
}

test('default install: namespace, every CRD, server RBAC, password Secret, Deployment; no node agent', (t) => {
  const ms = installManifests(resolveInstallOptions(base));
  t.is(ms[0]?.kind, 'Namespace');
  const crds = ms.filter((m) => m.kind === 'CustomResourceDefinition').map((m) => m.metadata.name);
  t.deepEqual(crds, KINDS.map(crdName));
  const roles = clusterRoleNames('skiff');
  find(ms, 'ServiceAccount', 'skiff');
  find(ms, 'ClusterRole', roles.server);
  find(ms, 'ClusterRoleBinding', roles.server);
  find(ms, 'Role', NAMES.serverRole);
  find(ms, 'Deployment', 'skiff');
  find(ms, 'Secret', NAMES.repositorySecret);
  t.false(ms.some((m) => m.kind === 'DaemonSet'));
  t.false(ms.some((m) => m.metadata.name === NAMES.nodeAgentServiceAccount));
  t.false(ms.some((m) => m.kind === 'BackupStorageLocation'));
  t.false(ms.some((m) => m.metadata.name === NAMES.credentialsSecret));
  // every namespaced object lives in the install namespace
  for (const m of ms) if (m.metadata.namespace !== undefined) t.is(m.metadata.namespace, 'skiff', `${m.kind}/${m.metadata.name}`);
});

test('Deployment runs `skiff server --namespace` as service account skiff with probes, ports and resources', (t) => {
  const o = resolveInstallOptions({ ...base, namespace: 'backup-system', defaultVolumesToFsBackup: true });
  const d = find<WorkloadManifest>(installManifests(o), 'Deployment', 'skiff');
  const pod = at(d, 'spec', 'template', 'spec');
  t.is(at(pod, 'serviceAccountName'), 'skiff');
  const c = at(pod, 'containers', 0);
  t.is(at(c, 'image'), 'skiff/skiff:9.8.7');
  t.deepEqual(at(c, 'args'), ['server', '--namespace', 'backup-system', '--default-volumes-to-fs-backup']);
  t.deepEqual(at(c, 'resources'), { requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } });
  t.is(at(c, 'livenessProbe', 'httpGet', 'port'), 'health');
  t.is(at(c, 'readinessProbe', 'httpGet', 'path'), '/readyz');
  const ports = (at(c, 'ports') as { name: string }[]).map((p) => p.name);
  t.deepEqual(ports, ['metrics', 'health']);
  // the selector matches the pod labels
  const sel = at(d, 'spec', 'selector', 'matchLabels') as Record<string, string>;
  const labels = at(d, 'spec', 'template', 'metadata', 'labels') as Record<string, string>;
  for (const [k, v] of Object.entries(sel)) t.is(labels[k], v);
});

test('node agent: DaemonSet with hostPath pods dir, HostToContainer, NODE_NAME, uid 0 unprivileged, own service account', (t) => {
  const o = resolveInstallOptions({ ...base, useNodeAgent: true, kubeletRootDir: '/var/lib/k0s/kubelet/', image: 'reg.example/skiff:dev' });
  const ms = installManifests(o);
  const ds = find<WorkloadManifest>(ms, 'DaemonSet', 'node-agent');
  const pod = at(ds, 'spec', 'template', 'spec');
  t.is(at(pod, 'serviceAccountName'), NAMES.nodeAgentServiceAccount);
  const c = at(pod, 'containers', 0);
  t.is(at(c, 'image'), 'reg.example/skiff:dev');
  t.deepEqual(at(c, 'args'), ['node-agent']);
  t.deepEqual(at(c, 'securityContext'), { privileged: false, runAsUser: 0, allowPrivilegeEscalation: false });
  const env = at(c, 'env') as { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  t.is(env.find((x) => x.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
  const mount = (at(c, 'volumeMounts') as { name: string; mountPath: string; mountPropagation?: string }[]).find((m) => m.mountPath === '/host_pods');
  t.is(mount?.mountPropagation, 'HostToContainer');
  const vol = (at(pod, 'volumes') as { name: string; hostPath?: { path: string } }[]).find((v) => v.name === mount?.name);
  t.is(vol?.hostPath?.path, '/var/lib/k0s/kubelet/pods');
  t.deepEqual(at(c, 'resources', 'requests'), { cpu: '500m', memory: '512Mi' });
  t.truthy(at(c, 'resources', 'limits', 'memory'));
  find(ms, 'ServiceAccount', NAMES.nodeAgentServiceAccount);
  find(ms, 'ClusterRole', clusterRoleNames('skiff').nodeAgent);
  find(ms, 'RoleBinding', NAMES.nodeAgentRole);
});

test('server RBAC: reads and writes everything, deletes only its own kinds in its namespace', (t) => {
  const cluster = serverClusterRules();
  for (const [g, r] of [['', 'secrets'], ['apps', 'deployments'], ['apiextensions.k8s.io', 'customresourcedefinitions'], ['example.com', 'widgets']] as const) {
    t.true(allows(cluster, g, r, 'list'), `list ${g}/${r}`);
    t.true(allows(cluster, g, r, 'create'), `create ${g}/${r}`);
  }
  t.false(allows(cluster, '', 'nodes', 'delete'));
  t.false(allows(cluster, '', 'namespaces', 'delete'));
  t.false(cluster.some((r) => r.verbs.includes('*') || r.verbs.includes('delete')));
  const ns = serverNamespaceRules();
  t.true(allows(ns, 'skiff.dev', 'backups', 'delete'));
  t.true(allows(ns, 'coordination.k8s.io', 'leases', 'update'));
  t.false(allows(ns, '', 'secrets', 'delete'));
});

test('node agent RBAC is small: pods read cluster-wide, its work objects and one Secret read in the namespace', (t) => {
  const cluster = nodeAgentClusterRules();
  t.true(allows(cluster, '', 'pods', 'list'));
  t.false(allows(cluster, '', 'secrets', 'get'));
  t.false(allows(cluster, '', 'pods', 'create'));
  const ns = nodeAgentNamespaceRules();
  t.true(allows(ns, 'skiff.dev', 'podvolumebackups/status', 'patch'));
  t.true(allows(ns, 'skiff.dev', 'podvolumerestores', 'watch'));
  t.true(allows(ns, 'skiff.dev', 'backuprepositories', 'create'));
  t.true(allows(ns, '', 'secrets', 'get'));
  t.false(allows(ns, '', 'secrets', 'list'));
  t.false(allows(ns, 'skiff.dev', 'backups', 'get'));
  t.false([...cluster, ...ns].some((r) => r.verbs.includes('delete') || r.verbs.includes('*') || r.resources.includes('*')));
});

test('ClusterRole names carry the namespace; bindings point at the right service account', (t) => {
  const ms = installManifests(resolveInstallOptions({ ...base, namespace: 'other', useNodeAgent: true }));
  const crb = find<Manifest & { subjects: { name: string; namespace: string }[]; roleRef: { name: string } }>(ms, 'ClusterRoleBinding', 'skiff-server-other');
  t.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'skiff', namespace: 'other' }]);
  t.is(crb.roleRef.name, 'skiff-server-other');
  const role = find<RoleManifest>(ms, 'Role', NAMES.nodeAgentRole);
  t.is(role.metadata.namespace, 'other');
});

test('repository password: 32 random bytes base64 by default, different each time; a given one is used', (t) => {
  const a = resolveInstallOptions(base).repositoryPassword;
  const b = resolveInstallOptions(base).repositoryPassword;
  t.not(a, b);
  t.is(Buffer.from(a, 'base64').length, 32);
  const ms = installManifests(resolveInstallOptions({ ...base, repositoryPassword: 'given pw' }));
  const s = find<SecretManifest>(ms, 'Secret', NAMES.repositorySecret);
  t.is(Buffer.from(s.data[NAMES.repositoryKey] ?? '', 'base64').toString(), 'given pw');
});

test('default location and credentials Secret from the location options', (t) => {
  const o = resolveInstallOptions({
    ...base,
    cloudCredentials: '[default]\naws_access_key_id=A\naws_secret_access_key=B\n',
    location: { bucket: 'bk', prefix: 'cluster1', config: { region: 'eu-west-1', s3Url: 'http://minio:9000', s3ForcePathStyle: 'true' }, caCert: 'PEM' },
  });
  const ms = installManifests(o);
  const secret = find<SecretManifest>(ms, 'Secret', 'cloud-credentials');
  t.regex(Buffer.from(secret.data['cloud'] ?? '', 'base64').toString(), /aws_access_key_id=A/);
  const bsl = find<Manifest & { spec: Record<string, unknown> }>(ms, 'BackupStorageLocation', 'default');
  t.deepEqual(bsl.spec, {
    provider: 'aws',
    objectStorage: { bucket: 'bk', prefix: 'cluster1', caCert: Buffer.from('PEM').toString('base64') },
    config: { region: 'eu-west-1', s3Url: 'http://minio:9000', s3ForcePathStyle: 'true' },
    credential: { name: 'cloud-credentials', key: 'cloud' },
    accessMode: 'ReadWrite',
    default: true,
  });
  // CRDs come before custom objects, RBAC before the Deployment
  const idx = (k: string) => ms.findIndex((m) => m.kind === k);
  t.true(idx('CustomResourceDefinition') < idx('BackupStorageLocation'));
  t.true(idx('ClusterRoleBinding') < idx('Deployment'));
});
