/**
 * Which discovered resources a backup lists, and in what order (Velero's item collector):
 * only resources that support list, create, get and delete; no subresources; "cohabitating"
 * resources served by two groups are backed up once; core first (pods, PVCs, PVs, then the
 * rest), then the other groups alphabetically, `extensions` last. Skiff's own run-time kinds
 * are never backed up (restore refuses them anyway).
 */
import { type ApiResource, groupResource } from './cluster-reader.ts';

const REQUIRED_VERBS = ['list', 'create', 'get', 'delete'];

/** Skiff's bookkeeping kinds: backing them up would restore stale operations. */
export const NEVER_BACKED_UP: ReadonlySet<string> = new Set([
  'backups.skiff.dev',
  'restores.skiff.dev',
  'podvolumebackups.skiff.dev',
  'podvolumerestores.skiff.dev',
  'deletebackuprequests.skiff.dev',
  'downloadrequests.skiff.dev',
  'backuprepositories.skiff.dev',
]);

/** resource → groups serving the same objects, in the order the one backed up is chosen */
const COHABITATING: Record<string, readonly string[]> = {
  deployments: ['apps', 'extensions'],
  daemonsets: ['apps', 'extensions'],
  replicasets: ['apps', 'extensions'],
  networkpolicies: ['networking.k8s.io', 'extensions'],
  ingresses: ['networking.k8s.io', 'extensions'],
  podsecuritypolicies: ['policy', 'extensions'],
  events: ['', 'events.k8s.io'],
};

const CORE_FIRST = ['pods', 'persistentvolumeclaims', 'persistentvolumes'];

function groupRank(group: string): number {
  if (group === '') return 0;
  if (group === 'extensions') return 2;
  return 1;
}

function coreRank(r: ApiResource): number {
  const i = r.group === '' ? CORE_FIRST.indexOf(r.name) : -1;
  return i < 0 ? CORE_FIRST.length : i;
}

function compare(a: ApiResource, b: ApiResource): number {
  return (
    groupRank(a.group) - groupRank(b.group) ||
    a.group.localeCompare(b.group) ||
    coreRank(a) - coreRank(b) ||
    a.name.localeCompare(b.name)
  );
}

/** The resources to consider, filtered and in backup order. */
export function planResources(discovered: readonly ApiResource[]): ApiResource[] {
  const usable = discovered.filter(
    (r) => !r.name.includes('/') && REQUIRED_VERBS.every((v) => r.verbs.includes(v)) && !NEVER_BACKED_UP.has(groupResource(r)),
  );
  const present = new Set(usable.map(groupResource));
  const kept = usable.filter((r) => {
    const groups = COHABITATING[r.name];
    if (groups === undefined || !groups.includes(r.group)) return true;
    const first = groups.find((g) => present.has(groupResource({ group: g, name: r.name })));
    return first === r.group;
  });
  return kept.sort(compare);
}
