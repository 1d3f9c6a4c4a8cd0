/**
 * The control plane end to end, as a cluster admin uses it: `skiff install` on the real API
 * server, `skiff server` running as the service account install created (not admin), the
 * embedded S3 as the backup location, and the CLI: backup a namespace, delete it, restore it,
 * restore it again under another name.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startControlPlane, type ControlPlane } from '../kube/index.ts';
import { kubeTestsEnabled } from '../kube/gate.ts';
import { kubectl } from '../kube/kubectl.ts';
import { installForTest } from '../../cli/cluster/testing/service-account.ts';
import { runSkiff } from '../../cli/cluster/testing/run-skiff.ts';
import { startS3Server, type EmbeddedS3 } from '../support/s3-server.ts';

const TITLE = 'backup of a namespace, deleted, restored, and restored again with a namespace mapping';
const enabled = kubeTestsEnabled(TITLE);
let cp: ControlPlane;
let s3: EmbeddedS3;
let server: ChildProcess | undefined;
let serverLog = '';

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: app}
data: {color: blue}
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: app}
stringData: {token: s3cr3t}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: worker, namespace: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: app}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: worker-reads, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: worker, namespace: app}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: app}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: worker
      containers: [{name: web, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {selector: {app: web}, ports: [{port: 80}]}
`;

const WIDGET = `
apiVersion: example.com/v1
kind: Widget
metadata: {name: gizmo, namespace: app}
spec: {size: 3}
`;

const OBJECTS = ['configmap/settings', 'secret/creds', 'serviceaccount/worker', 'role/reader', 'rolebinding/worker-reads', 'pvc/data', 'deployment/web', 'service/web', 'widget/gizmo'];

if (enabled) {
  test.before(async () => {
    cp = await startControlPlane({ controllerManager: true });
    s3 = await startS3Server({ buckets: ['backups'] });
    const creds = path.join(cp.dir, 'aws-credentials');
    await writeFile(creds, `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`);
    const inst = await installForTest(cp, ['--bucket', 'backups', '--prefix', 'cluster-a', '--s3-url', s3.endpoint, '--s3-force-path-style', '--region', s3.region, '--secret-file', creds]);
    server = spawn(path.resolve('node_modules/.bin/node'), [path.resolve('cli/skiff.ts'), 'server', '--kubeconfig', inst.serverKubeconfig, '-n', 'skiff', '--metrics-address', 'off', '--health-address', 'off'], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d));
    const files = path.join(cp.dir, 'app.yaml');
    await writeFile(files, APP);
    const applied = await kubectl(cp.kubeconfigPath, ['apply', '-f', files]);
    if (applied.code !== 0) throw new Error(applied.stderr);
    await kubectl(cp.kubeconfigPath, ['wait', '--for=condition=Established', 'crd/widgets.example.com']);
    await writeFile(path.join(cp.dir, 'widget.yaml'), WIDGET);
    const w = await kubectl(cp.kubeconfigPath, ['apply', '-f', path.join(cp.dir, 'widget.yaml')]);
    if (w.code !== 0) throw new Error(w.stderr);
  });
  test.after.always(async () => {
    server?.kill('SIGTERM');
    await s3?.stop();
    await cp?.stop();
  });

  test.serial(TITLE, async (t) => {
    const admin = ['--kubeconfig', cp.kubeconfigPath];
    const b = await runSkiff(['backup', 'create', 'b1', '--include-namespaces', 'app', '--wait', ...admin]);
    t.is(b.code, 0, `${b.stdout}\n${b.stderr}\n--- server log ---\n${serverLog.slice(-4000)}`);
    const got = await runSkiff(['backup', 'get', 'b1', '-o', 'json', ...admin]);
    const backup = JSON.parse(got.stdout) as { status: { phase: string; progress: { itemsBackedUp: number } } };
    t.is(backup.status.phase, 'Completed');
    t.true(backup.status.progress.itemsBackedUp >= OBJECTS.length);

    const del = await kubectl(cp.kubeconfigPath, ['delete', 'namespace', 'app', '--wait=true', '--timeout=120s']);
    t.is(del.code, 0, del.stderr);
    t.is((await kubectl(cp.kubeconfigPath, ['get', 'namespace', 'app'])).code, 1);

    const r = await runSkiff(['restore', 'create', 'r1', '--from-backup', 'b1', '--wait', ...admin]);
    t.is(r.code, 0, `${r.stdout}\n${r.stderr}\n--- server log ---\n${serverLog.slice(-4000)}`);
    for (const o of OBJECTS) {
      const g = await kubectl(cp.kubeconfigPath, ['get', '-n', 'app', o, '-o', 'json']);
      t.is(g.code, 0, `${o} is back: ${g.stderr}`);
      const obj = JSON.parse(g.stdout) as { metadata: { labels?: Record<string, string> } };
      t.is(obj.metadata.labels?.['skiff.dev/restore-name'], 'r1', `${o} carries the restore label`);
    }
    const cm = JSON.parse((await kubectl(cp.kubeconfigPath, ['get', '-n', 'app', 'configmap/settings', '-o', 'json'])).stdout) as { data: Record<string, string> };
    t.deepEqual(cm.data, { color: 'blue' });

    const r2 = await runSkiff(['restore', 'create', 'r2', '--from-backup', 'b1', '--namespace-mappings', 'app:app2', '--wait', ...admin]);
    t.is(r2.code, 0, r2.stderr);
    for (const o of OBJECTS) t.is((await kubectl(cp.kubeconfigPath, ['get', '-n', 'app2', o])).code, 0, `${o} in app2`);
    const rb = JSON.parse((await kubectl(cp.kubeconfigPath, ['get', '-n', 'app2', 'rolebinding/worker-reads', '-o', 'json'])).stdout) as { subjects: { namespace: string }[] };
    t.is(rb.subjects[0]!.namespace, 'app2');
    t.notRegex(serverLog, /forbidden/i, 'the server needed no more rights than install gave it');
  });
}
