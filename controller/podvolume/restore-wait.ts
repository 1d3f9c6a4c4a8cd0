/**
 * What a restore changes in objects whose volumes come back by file-system restore (pure):
 * - pods get the `restore-wait` init container FIRST: Skiff's image, command
 *   `skiff restore-helper <restore-uid>`, env POD_NAMESPACE/POD_NAME, each restored volume at
 *   `/restores/<volume>`, 100m/128Mi, a restricted securityContext. Any `restore-wait` (or
 *   Velero's legacy `restic-wait`) the pod already had, from an earlier restore, is removed
 *   first: its done files would never come.
 * - claims lose `spec.volumeName` and the bind annotations, so a fresh volume is provisioned for
 *   the data to go into.
 */
import type { JsonObject, JsonValue } from '../restore/index.ts';

export const RESTORE_WAIT = 'restore-wait';
const LEGACY_WAIT = 'restic-wait';
export const RESTORES_DIR = '/restores';
const BIND_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller', 'volume.kubernetes.io/selected-node'];

export interface RestoreWaitOptions {
  readonly image: string;
  readonly restoreUid: string;
  /** pod volume names restored by file-system restore */
  readonly volumes: readonly string[];
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldEnv(name: string, fieldPath: string): JsonObject {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

export function restoreWaitContainer(o: RestoreWaitOptions): JsonObject {
  const resources = { cpu: '100m', memory: '128Mi' };
  return {
    name: RESTORE_WAIT,
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['skiff', 'restore-helper', o.restoreUid],
    env: [fieldEnv('POD_NAMESPACE', 'metadata.namespace'), fieldEnv('POD_NAME', 'metadata.name')],
    volumeMounts: o.volumes.map((v) => ({ name: v, mountPath: `${RESTORES_DIR}/${v}` })),
    resources: { requests: { ...resources }, limits: { ...resources } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** Removes old wait containers; prepends `restore-wait` when there are volumes to wait for. In place. */
export function injectRestoreWait(pod: JsonObject, o: RestoreWaitOptions | undefined): void {
  const spec = pod['spec'];
  if (!isObject(spec)) return;
  const current = Array.isArray(spec['initContainers']) ? spec['initContainers'] : [];
  const kept = current.filter((c) => !(isObject(c) && (c['name'] === RESTORE_WAIT || c['name'] === LEGACY_WAIT)));
  const next = o === undefined || o.volumes.length === 0 ? kept : [restoreWaitContainer(o), ...kept];
  if (next.length > 0) spec['initContainers'] = next;
  else delete spec['initContainers'];
}

/** The pod's volumes that can take restored data: present in the spec, not projected or downwardAPI. */
export function restorableVolumes(pod: JsonObject, wanted: readonly string[]): string[] {
  const spec = pod['spec'];
  const volumes = isObject(spec) && Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  const ok = new Set<string>();
  for (const v of volumes) {
    if (!isObject(v) || typeof v['name'] !== 'string') continue;
    if (v['projected'] != null || v['downwardAPI'] != null) continue;
    ok.add(v['name']);
  }
  return wanted.filter((w) => ok.has(w));
}

/** Unbinds a claim so the cluster provisions a new volume for it. In place. */
export function resetClaimBinding(pvc: JsonObject): void {
  const spec = pvc['spec'];
  if (isObject(spec)) delete spec['volumeName'];
  const meta = pvc['metadata'];
  const annotations = isObject(meta) ? meta['annotations'] : undefined;
  if (!isObject(annotations) || !isObject(meta)) return;
  for (const a of BIND_ANNOTATIONS) delete annotations[a];
  if (Object.keys(annotations).length === 0) delete meta['annotations'];
}
