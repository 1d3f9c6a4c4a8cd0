/**
 * From a PodVolumeBackup/Restore's pod reference and volume name to the kind of directory the
 * kubelet made for it (see volume-path.ts): the pod, checked to be the very pod the work is for
 * (same UID) and on this node; then the pod volume, followed through PVC → PV for claims.
 *
 * Error codes say whether waiting can help: NotFound for what may still appear (the pod, its
 * scheduling, a PVC not bound yet), Conflict and Config for what never will (a re-created pod,
 * another node, a volume the pod does not have, a hostPath or block volume).
 */
import { SkiffError } from '../repository/index.ts';
import type { PodReference } from '../crds/index.ts';
import type { VolumeSource } from './volume-path.ts';

export interface PodVolumeSpec {
  readonly name: string;
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly csi?: object;
  readonly hostPath?: object;
}

export interface PodObject {
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string };
  readonly spec?: { readonly nodeName?: string; readonly volumes?: readonly PodVolumeSpec[] };
}

export interface PvcObject {
  readonly metadata: { readonly name?: string };
  readonly spec?: { readonly volumeName?: string; readonly volumeMode?: string };
  readonly status?: { readonly phase?: string };
}

export interface PvObject {
  readonly metadata: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: { readonly csi?: object; readonly hostPath?: object; readonly volumeMode?: string };
}

/** The reads volume detection needs (controller/kube implements them in cluster-reads.ts). */
export interface ClusterReads {
  getPod(namespace: string, name: string): Promise<PodObject | undefined>;
  getPvc(namespace: string, name: string): Promise<PvcObject | undefined>;
  getPv(name: string): Promise<PvObject | undefined>;
}

export interface LocatedVolume {
  readonly podUid: string;
  readonly source: VolumeSource;
  /** the PVC's name, for PVC volumes */
  readonly pvc?: string;
}

/** The CSI migration annotation: the kubelet mounts such in-tree PVs through the CSI plugin. */
const MIGRATED_TO = 'pv.kubernetes.io/migrated-to';

/**
 * The pod `ref` (same UID when `ref.uid` is set), bound to `node`. A pod not scheduled yet is
 * NotFound (a restored pod may still be waiting for the scheduler).
 */
export async function findPod(reads: ClusterReads, ref: PodReference, node: string): Promise<PodObject & { metadata: { uid: string } }> {
  const what = `pod ${ref.namespace}/${ref.name}`;
  const pod = await reads.getPod(ref.namespace, ref.name);
  if (pod === undefined) throw new SkiffError('NotFound', `${what} not found`);
  const uid = pod.metadata.uid ?? '';
  if (ref.uid !== undefined && ref.uid !== '' && uid !== ref.uid) {
    throw new SkiffError('Conflict', `${what} was re-created (UID ${uid}, this work is for UID ${ref.uid})`);
  }
  const on = pod.spec?.nodeName ?? '';
  if (on === '') throw new SkiffError('NotFound', `${what} is not scheduled to a node yet`);
  if (on !== node) throw new SkiffError('Config', `${what} runs on node ${on}, not on this agent's node ${node}`);
  return { ...pod, metadata: { ...pod.metadata, uid } };
}

/** Which directory the kubelet made for volume `volumeName` of `pod`. */
export async function volumeSourceOf(reads: ClusterReads, pod: PodObject, volumeName: string): Promise<LocatedVolume> {
  const ns = pod.metadata.namespace ?? '';
  const what = `volume ${volumeName} of pod ${ns}/${pod.metadata.name ?? ''}`;
  const podUid = pod.metadata.uid ?? '';
  const vol = pod.spec?.volumes?.find((v) => v.name === volumeName);
  if (vol === undefined) throw new SkiffError('Config', `pod ${ns}/${pod.metadata.name ?? ''} has no volume ${volumeName}`);
  if (vol.hostPath !== undefined) throw new SkiffError('Config', `${what} is a hostPath volume: its data is not under the kubelet's pods directory`);
  const claim = vol.persistentVolumeClaim?.claimName;
  if (claim === undefined) return { podUid, source: { kind: 'pod', volumeName, csi: vol.csi !== undefined } };

  const pvc = await reads.getPvc(ns, claim);
  if (pvc === undefined) throw new SkiffError('NotFound', `PersistentVolumeClaim ${ns}/${claim} of ${what} not found`);
  const pvName = pvc.spec?.volumeName ?? '';
  if (pvName === '' || pvc.status?.phase !== 'Bound') {
    throw new SkiffError('NotFound', `PersistentVolumeClaim ${ns}/${claim} of ${what} is not bound yet (phase ${pvc.status?.phase ?? 'unknown'})`);
  }
  if (pvc.spec?.volumeMode === 'Block') throw new SkiffError('Config', `${what} is a block volume: file system backup needs a file system`);
  const pv = await reads.getPv(pvName);
  if (pv === undefined) throw new SkiffError('NotFound', `PersistentVolume ${pvName} of ${what} not found`);
  if (pv.spec?.hostPath !== undefined) throw new SkiffError('Config', `${what} is bound to hostPath PersistentVolume ${pvName}: its data is not under the kubelet's pods directory`);
  if (pv.spec?.volumeMode === 'Block') throw new SkiffError('Config', `${what} is a block volume: file system backup needs a file system`);
  const csi = pv.spec?.csi !== undefined || (pv.metadata.annotations?.[MIGRATED_TO] ?? '') !== '';
  return { podUid, source: { kind: 'pv', pvName, csi }, pvc: claim };
}
