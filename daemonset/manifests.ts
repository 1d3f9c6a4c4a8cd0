/**
 * Everything `skiff install` applies, as plain objects in apply order: Namespace, CRDs,
 * service accounts and RBAC, Secrets, the default BackupStorageLocation, the server
 * Deployment and (with useNodeAgent) the node-agent DaemonSet. Pure: no I/O but reading the
 * CRD YAML that ships with the code.
 */
import { loadCrdManifests } from '../crds/index.ts';
import { type InstallOptions, PART_OF } from './options.ts';
import { nodeAgentRbac, serverRbac } from './rbac.ts';
import { credentialsSecret, defaultLocation, repositoryPasswordSecret } from './storage.ts';
import type { Manifest } from './types.ts';
import { nodeAgentDaemonSet, serverDeployment } from './workloads.ts';

export function namespaceManifest(namespace: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...PART_OF } } };
}

/** Skiff's CustomResourceDefinitions, labelled app.kubernetes.io/part-of=skiff. */
export function crdManifests(): Manifest[] {
  return loadCrdManifests().map((crd) => ({ ...crd, metadata: { ...crd.metadata, labels: { ...crd.metadata.labels, ...PART_OF } } }));
}

/** All objects, in the order they must be applied (CRDs before custom objects, RBAC before workloads). */
export function installManifests(o: InstallOptions): Manifest[] {
  const ns = o.namespace;
  return [
    namespaceManifest(ns),
    ...crdManifests(),
    ...serverRbac(ns),
    ...(o.useNodeAgent ? nodeAgentRbac(ns) : []),
    ...(o.cloudCredentials !== undefined ? [credentialsSecret(ns, o.cloudCredentials)] : []),
    repositoryPasswordSecret(ns, o.repositoryPassword),
    ...(o.location !== undefined ? [defaultLocation(o, o.location)] : []),
    serverDeployment(o),
    ...(o.useNodeAgent ? [nodeAgentDaemonSet(o)] : []),
  ];
}
