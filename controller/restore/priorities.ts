// Restore order: Velero's `defaultRestorePriorities` (velero-reference.md §5.1), high entries
// first in order, then every other resource alphabetically, then the low entries in order.
// Velero's list names some resources without their group (resolved through discovery); here they
// are written fully qualified, as they appear in the tarball. Velero's `datauploads.velero.io` has
// no Skiff counterpart and is left out.

export interface RestorePriorities {
  readonly high: readonly string[];
  readonly low: readonly string[];
}

export const DEFAULT_RESTORE_PRIORITIES: RestorePriorities = {
  high: [
    'customresourcedefinitions.apiextensions.k8s.io',
    'namespaces',
    'storageclasses.storage.k8s.io',
    'volumesnapshotclasses.snapshot.storage.k8s.io',
    'volumesnapshotcontents.snapshot.storage.k8s.io',
    'volumesnapshots.snapshot.storage.k8s.io',
    'persistentvolumes',
    'persistentvolumeclaims',
    'clusterroles.rbac.authorization.k8s.io',
    'roles.rbac.authorization.k8s.io',
    'serviceaccounts',
    'clusterrolebindings.rbac.authorization.k8s.io',
    'rolebindings.rbac.authorization.k8s.io',
    'secrets',
    'configmaps',
    'limitranges',
    'priorityclasses.scheduling.k8s.io',
    'pods',
    'replicasets.apps',
    'clusterclasses.cluster.x-k8s.io',
    'endpoints',
    'services',
  ],
  low: [
    'clusterbootstraps.run.tanzu.vmware.com',
    'clusters.cluster.x-k8s.io',
    'clusterresourcesets.addons.cluster.x-k8s.io',
    'apps.kappctrl.k14s.io',
    'packageinstalls.packaging.carvel.dev',
  ],
};

/**
 * Parses Velero's `--restore-resource-priorities` form: `high1,high2,-,low1,low2` (the `-`
 * separates the low-priority tail; without it every entry is high).
 */
export function parseRestorePriorities(spec: string): RestorePriorities {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const dash = parts.indexOf('-');
  return dash === -1 ? { high: parts, low: [] } : { high: parts.slice(0, dash), low: parts.slice(dash + 1) };
}

/** Sorts groupResources into restore order. */
export function orderResources(groupResources: Iterable<string>, priorities: RestorePriorities = DEFAULT_RESTORE_PRIORITIES): string[] {
  const present = new Set(groupResources);
  const out: string[] = [];
  const take = (gr: string): void => {
    if (present.delete(gr)) out.push(gr);
  };
  for (const gr of priorities.high) take(gr);
  const lowSet = new Set(priorities.low);
  const middle = [...present].filter((gr) => !lowSet.has(gr)).sort();
  for (const gr of middle) take(gr);
  for (const gr of priorities.low) take(gr);
  return out;
}
