/**
 * The stable identity of a pod volume (PodVolumeBackup `spec.tags.identity`), which keys the
 * incremental chain in the repository: the PVC's UID for PVC volumes; otherwise
 * `<ns>/<owner kind>/<owner name>/<volume>`, the owner being the pod's controller followed up one
 * level for ReplicaSets owned by a Deployment and Jobs owned by a CronJob, or
 * `<ns>/Pod/<pod name>/<volume>` for a pod without a controller. So a Deployment's pods getting
 * new names (or a new ReplicaSet) keep their parent snapshot.
 */
import type { OwnerReference } from '../../crds/index.ts';
import type { Pod } from './core-types.ts';

export interface Workload {
  readonly kind: string;
  readonly name: string;
}

/** The owner references of `kind/name` in `namespace`, or undefined when it cannot be read. */
export type OwnerLookup = (ref: OwnerReference, namespace: string) => Promise<readonly OwnerReference[] | undefined>;

/** Controllers whose own controller names the workload better (ReplicaSet → Deployment, Job → CronJob). */
const PARENT_KIND: Readonly<Record<string, { group: string; parent: string }>> = {
  ReplicaSet: { group: 'apps', parent: 'Deployment' },
  Job: { group: 'batch', parent: 'CronJob' },
};

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

export function controllerRef(refs: readonly OwnerReference[] | undefined): OwnerReference | undefined {
  return refs?.find((r) => r.controller === true);
}

/** The workload a pod belongs to (see the file comment). A failed lookup stops one level down. */
export async function workloadOf(pod: Pod, lookup: OwnerLookup): Promise<Workload> {
  const ns = pod.metadata.namespace ?? '';
  const ref = controllerRef(pod.metadata.ownerReferences as OwnerReference[] | undefined);
  if (ref === undefined) return { kind: 'Pod', name: pod.metadata.name ?? '' };
  const parent = PARENT_KIND[ref.kind];
  if (parent !== undefined && groupOf(ref.apiVersion) === parent.group) {
    const up = controllerRef((await lookup(ref, ns).catch(() => undefined)) ?? undefined);
    if (up !== undefined && up.kind === parent.parent && groupOf(up.apiVersion) === parent.group) return { kind: up.kind, name: up.name };
  }
  return { kind: ref.kind, name: ref.name };
}

export function volumeIdentity(input: { namespace: string; volume: string; pvcUid?: string | undefined; workload: Workload }): string {
  if (input.pvcUid !== undefined && input.pvcUid !== '') return input.pvcUid;
  return `${input.namespace}/${input.workload.kind}/${input.workload.name}/${input.volume}`;
}
