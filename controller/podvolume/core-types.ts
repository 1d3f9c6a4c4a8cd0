/**
 * The parts of core/v1 objects that file-system backup reads (JSON as the API server returns it).
 * Only what selection, identity and restore need; unknown fields are kept by spreading.
 */
import type { KubeObject, ObjectMeta } from '../runtime/types.ts';

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Container {
  name: string;
  image?: string;
  volumeMounts?: VolumeMount[];
  volumeDevices?: { name: string; devicePath: string }[];
  [field: string]: unknown;
}

export interface PodVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: object;
  hostPath?: { path: string };
  secret?: object;
  configMap?: object;
  projected?: object;
  downwardAPI?: object;
  [source: string]: unknown;
}

export interface Pod extends KubeObject {
  metadata: ObjectMeta & { ownerReferences?: (NonNullable<ObjectMeta['ownerReferences']>[number] & { blockOwnerDeletion?: boolean })[] };
  spec?: {
    nodeName?: string;
    volumes?: PodVolume[];
    containers?: Container[];
    initContainers?: Container[];
    [field: string]: unknown;
  };
  status?: { phase?: string; [field: string]: unknown };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: { volumeName?: string; [field: string]: unknown };
  status?: { phase?: string };
}

export interface PersistentVolume extends KubeObject {
  spec?: { hostPath?: { path: string }; [field: string]: unknown };
}

export const CORE = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  pvcs: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  pvs: { group: '', version: 'v1', resource: 'persistentvolumes' },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' },
} as const;
