/**
 * What the cluster commands need from the API server. `kube.ts` implements it over
 * @kubernetes/client-node; commands depend only on this interface. Skiff objects live in
 * `namespace`; other objects are addressed by apiVersion/kind/name/namespace.
 * Errors are SkiffError: NotFound, Conflict, Auth (401/403), Config (400/422), Transient.
 */
import type { SkiffClient } from '../../controller/runtime/types.ts';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface ClusterClient extends SkiffClient {
  /** The API server's URL, for messages. */
  readonly server: string;
  /** Server-side apply with field manager `skiff`, taking ownership of conflicting fields. */
  apply(obj: ObjectRef): Promise<void>;
  /** Creates the object; returns false (and changes nothing) when it already exists. */
  createIfAbsent(obj: ObjectRef): Promise<boolean>;
  read<T extends object>(ref: ObjectRef): Promise<T | undefined>;
  /** Deletes with background propagation; returns false when it did not exist. */
  remove(ref: ObjectRef): Promise<boolean>;
}

export interface ClusterFlags {
  kubeconfig?: string;
  kubecontext?: string;
  namespace?: string;
}

export type Connect = (flags: ClusterFlags) => ClusterClient;
