/**
 * From the pods a backup collected to the volumes it backs up: reads each pod as it is now,
 * selects volumes (select.ts), and gives each selected volume its node and identity (the PVC's
 * UID, or the owning workload). A PVC that cannot be read, or one bound to a hostPath
 * PersistentVolume (not under the kubelet pods directory; unless hostPath is allowed), is skipped
 * with a warning.
 */
import pLimit from 'p-limit';
import type { PodRef } from '../backup/index.ts';
import type { PodVolumeCluster } from './cluster.ts';
import type { Pod } from './core-types.ts';
import { type Workload, volumeIdentity, workloadOf } from './identity.ts';
import { type SelectOptions, type SkippedVolume, selectVolumes } from './select.ts';

export interface PlannedVolume {
  readonly pod: { readonly namespace: string; readonly name: string; readonly uid: string };
  readonly node: string;
  readonly volume: string;
  readonly identity: string;
  readonly pvc?: { readonly name: string; readonly uid: string };
}

export interface VolumePlan {
  readonly volumes: PlannedVolume[];
  readonly skipped: SkippedVolume[];
  /** pods that were collected but no longer exist */
  readonly gone: string[];
}

export async function planPodVolumes(cluster: PodVolumeCluster, refs: readonly PodRef[], opts: SelectOptions): Promise<VolumePlan> {
  const limit = pLimit(8);
  const fetched = await Promise.all(refs.map((r) => limit(() => cluster.getPod(r.namespace, r.name))));
  const pods: Pod[] = [];
  const gone: string[] = [];
  refs.forEach((r, i) => {
    const p = fetched[i];
    if (p === undefined) gone.push(`${r.namespace}/${r.name}`);
    else pods.push(p);
  });
  const selection = selectVolumes(pods, opts);
  const skipped = [...selection.skipped];
  const volumes: PlannedVolume[] = [];
  const workloads = new Map<string, Promise<Workload>>();
  for (const s of selection.selected) {
    const namespace = s.pod.metadata.namespace ?? '';
    const name = s.pod.metadata.name ?? '';
    const skip = (reason: string): void => {
      skipped.push({ namespace, pod: name, volume: s.volume.name, reason, level: 'warning' });
    };
    const base = { pod: { namespace, name, uid: s.pod.metadata.uid ?? '' }, node: s.pod.spec?.nodeName ?? '', volume: s.volume.name };
    if (s.claimName !== undefined) {
      const pvc = await cluster.getPvc(namespace, s.claimName);
      const uid = pvc?.metadata.uid;
      if (pvc === undefined || uid === undefined) {
        skip(`PVC ${namespace}/${s.claimName} not found`);
        continue;
      }
      const pvName = pvc.spec?.volumeName;
      if (opts.allowHostPath !== true && pvName !== undefined && pvName !== '') {
        const pv = await cluster.getPv(pvName);
        if (pv?.spec?.hostPath != null) {
          skip(`PVC ${namespace}/${s.claimName} is bound to hostPath PersistentVolume ${pvName}, which file-system backup does not support (not under the kubelet pods directory)`);
          continue;
        }
      }
      volumes.push({ ...base, identity: volumeIdentity({ namespace, volume: s.volume.name, pvcUid: uid, workload: { kind: 'Pod', name } }), pvc: { name: s.claimName, uid } });
      continue;
    }
    const key = `${namespace}/${name}`;
    let w = workloads.get(key);
    if (w === undefined) workloads.set(key, (w = workloadOf(s.pod, cluster.ownersOf)));
    volumes.push({ ...base, identity: volumeIdentity({ namespace, volume: s.volume.name, workload: await w }) });
  }
  return { volumes, skipped, gone };
}
