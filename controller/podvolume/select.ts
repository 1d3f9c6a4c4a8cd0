/**
 * Which pod volumes a backup takes by file-system backup (velero-reference.md §4.1), pure.
 *
 * Opt-in (default): exactly the volumes named in `backup.skiff.dev/backup-volumes: a,b`.
 * Opt-out (Backup `spec.defaultVolumesToFsBackup`, or the server's `--default-volumes-to-fs-backup`):
 * every volume except those named in `backup.skiff.dev/backup-volumes-excludes`, secret,
 * configMap, projected and downwardAPI volumes (no data of their own), hostPath volumes (not under
 * the kubelet's pods directory) unless allowed, and names starting `default-token`.
 * Then, for both modes: pods that are not Running, volumes no container mounts, and block volumes
 * are skipped; a PVC mounted by several pods of the backup is taken once (with its first pod).
 *
 * Every skipped volume comes back with its reason. `warning` skips are things the user asked for
 * or would expect and did not get (backup warnings); `info` skips are the mode's rules (log lines).
 */
import { ANNOTATIONS } from '../../crds/index.ts';
import type { Pod, PodVolume } from './core-types.ts';

export interface SelectOptions {
  /** opt-out mode */
  readonly defaultVolumesToFsBackup: boolean;
  /** take hostPath volumes too (the agent must be able to reach them); default false */
  readonly allowHostPath?: boolean;
}

export interface SelectedVolume {
  readonly pod: Pod;
  readonly volume: PodVolume;
  /** for PVC volumes */
  readonly claimName?: string;
}

export interface SkippedVolume {
  readonly namespace: string;
  readonly pod: string;
  readonly volume: string;
  readonly reason: string;
  readonly level: 'warning' | 'info';
}

export interface Selection {
  readonly selected: SelectedVolume[];
  readonly skipped: SkippedVolume[];
}

const NO_DATA_KINDS = ['secret', 'configMap', 'projected', 'downwardAPI'] as const;

export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** "volume v of pod ns/p skipped: reason" */
export function describeSkip(s: SkippedVolume): string {
  return `volume ${s.volume} of pod ${s.namespace}/${s.pod} skipped: ${s.reason}`;
}

function noDataKind(v: PodVolume): string | undefined {
  return NO_DATA_KINDS.find((k) => v[k] != null);
}

function mountedNames(pod: Pod, field: 'volumeMounts' | 'volumeDevices'): Set<string> {
  const out = new Set<string>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) for (const m of c[field] ?? []) out.add(m.name);
  return out;
}

/** The volumes the mode asks for, before the per-volume checks; rule-based exclusions are recorded. */
function candidates(pod: Pod, opts: SelectOptions, skip: (volume: string, reason: string, level: SkippedVolume['level']) => void): PodVolume[] {
  const volumes = pod.spec?.volumes ?? [];
  const annotations = pod.metadata.annotations ?? {};
  const allowHostPath = opts.allowHostPath === true;
  if (!opts.defaultVolumesToFsBackup) {
    const out: PodVolume[] = [];
    for (const name of new Set(splitList(annotations[ANNOTATIONS.backupVolumes]))) {
      const v = volumes.find((x) => x.name === name);
      if (v === undefined) skip(name, `named in ${ANNOTATIONS.backupVolumes} but not a volume of the pod`, 'warning');
      else if (v.hostPath != null && !allowHostPath) skip(name, 'hostPath volumes are not supported by file-system backup (not under the kubelet pods directory)', 'warning');
      else out.push(v);
    }
    return out;
  }
  const excluded = new Set(splitList(annotations[ANNOTATIONS.backupVolumesExcludes]));
  const out: PodVolume[] = [];
  for (const v of volumes) {
    const kind = noDataKind(v);
    if (excluded.has(v.name)) skip(v.name, `excluded by ${ANNOTATIONS.backupVolumesExcludes}`, 'info');
    else if (kind !== undefined) skip(v.name, `${kind} volumes hold no data of their own`, 'info');
    else if (v.hostPath != null && !allowHostPath) skip(v.name, 'hostPath volumes are not backed up (not under the kubelet pods directory)', 'info');
    else if (v.name.startsWith('default-token')) skip(v.name, 'service account token volume', 'info');
    else out.push(v);
  }
  return out;
}

/** Selects the volumes of `pods` (in order; the first pod mounting a PVC takes it). */
export function selectVolumes(pods: readonly Pod[], opts: SelectOptions): Selection {
  const selected: SelectedVolume[] = [];
  const skipped: SkippedVolume[] = [];
  const takenClaims = new Map<string, string>();
  for (const pod of pods) {
    const namespace = pod.metadata.namespace ?? '';
    const podName = pod.metadata.name ?? '';
    const skip = (volume: string, reason: string, level: SkippedVolume['level']): void => {
      skipped.push({ namespace, pod: podName, volume, reason, level });
    };
    const wanted = candidates(pod, opts, skip);
    if (wanted.length === 0) continue;
    const phase = pod.status?.phase ?? 'Unknown';
    if (phase !== 'Running') {
      for (const v of wanted) skip(v.name, `pod is not running (phase ${phase})`, 'warning');
      continue;
    }
    const mounted = mountedNames(pod, 'volumeMounts');
    const devices = mountedNames(pod, 'volumeDevices');
    for (const v of wanted) {
      const claimName = v.persistentVolumeClaim?.claimName;
      if (devices.has(v.name)) {
        skip(v.name, 'block volumes are not supported by file-system backup', 'warning');
      } else if (!mounted.has(v.name)) {
        skip(v.name, 'no container mounts it', 'warning');
      } else if (claimName !== undefined && takenClaims.has(`${namespace}/${claimName}`)) {
        skip(v.name, `PVC ${namespace}/${claimName} is already backed up with pod ${namespace}/${takenClaims.get(`${namespace}/${claimName}`) ?? ''}`, 'info');
      } else {
        if (claimName !== undefined) takenClaims.set(`${namespace}/${claimName}`, podName);
        selected.push({ pod, volume: v, ...(claimName === undefined ? {} : { claimName }) });
      }
    }
  }
  return { selected, skipped };
}
