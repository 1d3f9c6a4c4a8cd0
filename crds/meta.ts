// Wire-format (JSON) shapes shared by every kind. Timestamps are RFC 3339 strings and durations
// are Go duration strings ("720h0m0s"), exactly as the API server stores and returns them.

/** RFC 3339 time, e.g. "2024-05-01T12:00:00Z". */
export type Timestamp = string;
/** Go duration, e.g. "720h0m0s", "10m". */
export type Duration = string;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Timestamp;
  deletionTimestamp?: Timestamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** A reference to a pod (the subset of core/v1 ObjectReference the schemas keep). */
export interface PodReference {
  apiVersion?: string;
  kind?: string;
  namespace: string;
  name: string;
  uid?: string;
}

/** Common envelope of every Skiff custom resource. */
export interface SkiffObject<K extends string, Spec, Status> {
  apiVersion: 'skiff.dev/v1';
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** What `list` returns. */
export interface SkiffList<T> {
  apiVersion: 'skiff.dev/v1';
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}
