// The restore planner: which items of a backup are restored, and in which order. Pure: no I/O.
// Filters follow Velero (velero-reference.md §5.2, §5.7); order follows §5.1.
import type { LabelSelector, RestoreSpec } from '../../crds/index.ts';
import type { BackupContents, BackupItem } from './backup-contents.ts';
import { exactMatch, globMatch, IncludesExcludes } from './includes-excludes.ts';
import { selectorMatches } from '../../crds/index.ts';
import { DEFAULT_RESTORE_PRIORITIES, orderResources, type RestorePriorities } from './priorities.ts';
import { child, kindOf, str, stringMap, type JsonObject } from './unstructured.ts';

/** Never restored, whatever the spec says; naming one in includedResources is a validation error. */
export const NON_RESTORABLE_RESOURCES: readonly string[] = [
  'nodes',
  'events',
  'events.events.k8s.io',
  'backups.skiff.dev',
  'restores.skiff.dev',
  'backuprepositories.skiff.dev',
  'podvolumebackups.skiff.dev',
  'podvolumerestores.skiff.dev',
  'deletebackuprequests.skiff.dev',
  'downloadrequests.skiff.dev',
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
];

export const CRD_RESOURCE = 'customresourcedefinitions.apiextensions.k8s.io';

export interface PlanOptions {
  readonly spec: RestoreSpec;
  readonly priorities?: RestorePriorities;
  /** further names a resource is known by, e.g. discovery short names (`deploy`) */
  readonly aliases?: (groupResource: string) => readonly string[];
}

export interface PlannedResource {
  readonly groupResource: string;
  /** cluster-scoped first, then by namespace and name */
  readonly items: readonly BackupItem[];
}

export interface RestorePlan {
  readonly resources: readonly PlannedResource[];
  /** source → target, for every namespace an item in the plan lives in (or is) */
  readonly namespaces: ReadonlyMap<string, string>;
  readonly totalItems: number;
}

/** Names a resource's items answer to in includedResources/excludedResources (lower case). */
export function resourceAliases(groupResource: string, kind: string, extra: readonly string[] = []): string[] {
  const dot = groupResource.indexOf('.');
  const resource = dot === -1 ? groupResource : groupResource.slice(0, dot);
  const group = dot === -1 ? '' : groupResource.slice(dot + 1);
  const k = kind.toLowerCase();
  const out = new Set([groupResource, resource, ...extra.map((e) => e.toLowerCase())]);
  if (k !== '') {
    out.add(k);
    if (group !== '') out.add(`${k}.${group}`);
  }
  for (const e of extra) if (group !== '') out.add(`${e.toLowerCase()}.${group}`);
  return [...out];
}

/** The groupResource a CustomResourceDefinition object defines, e.g. `widgets.example.com`. */
export function crdDefines(crd: JsonObject): string | undefined {
  const spec = child(crd, 'spec');
  const plural = str(child(spec, 'names'), 'plural');
  const group = str(spec, 'group');
  return plural === undefined || group === undefined ? undefined : `${plural}.${group}`;
}

function selectorsAllow(spec: RestoreSpec, obj: JsonObject): boolean {
  const labels = stringMap(obj);
  if (spec.labelSelector != null) return selectorMatches(spec.labelSelector, labels);
  const ors: readonly LabelSelector[] = spec.orLabelSelectors ?? [];
  return ors.length === 0 || ors.some((s) => selectorMatches(s, labels));
}

export function planRestore(contents: BackupContents, opts: PlanOptions): RestorePlan {
  const { spec } = opts;
  const namespaces = new IncludesExcludes(spec.includedNamespaces, spec.excludedNamespaces, globMatch);
  const resources = new IncludesExcludes(spec.includedResources, [...(spec.excludedResources ?? []), ...NON_RESTORABLE_RESOURCES], exactMatch);
  const mapping = spec.namespaceMapping ?? {};
  const resourceAllowed = (item: BackupItem): boolean =>
    resources.shouldInclude(...resourceAliases(item.groupResource, kindOf(item.object), opts.aliases?.(item.groupResource)));

  const chosen = new Map<string, BackupItem[]>();
  const add = (item: BackupItem): void => {
    const list = chosen.get(item.groupResource) ?? [];
    list.push(item);
    chosen.set(item.groupResource, list);
  };
  const clusterItems: BackupItem[] = [];
  const definedUsed = new Set<string>(); // groupResources with an item in the plan
  const claims = new Set<string>(); // `<ns>/<pvc>` of PVCs in the plan

  for (const [, items] of contents.resources) {
    for (const item of items) {
      if (!resourceAllowed(item)) continue;
      if (item.groupResource === 'namespaces') {
        if (namespaces.shouldInclude(item.name) && selectorsAllow(spec, item.object)) add(item);
        continue;
      }
      if (item.namespace === undefined) {
        clusterItems.push(item);
        continue;
      }
      if (!namespaces.shouldInclude(item.namespace) || !selectorsAllow(spec, item.object)) continue;
      add(item);
      definedUsed.add(item.groupResource);
      if (item.groupResource === 'persistentvolumeclaims') claims.add(`${item.namespace}/${item.name}`);
    }
  }

  // Cluster-scoped items: all of them when includeClusterResources is true, or when it is unset
  // and every namespace is restored; otherwise only items the namespaced ones need (the CRDs of
  // restored custom resources, the PVs claimed by restored PVCs), unless it is false.
  const icr = spec.includeClusterResources;
  const all = icr === true || (icr == null && namespaces.includesEverything());
  for (const item of clusterItems) {
    const selected = all && selectorsAllow(spec, item.object);
    if (selected) definedUsed.add(item.groupResource);
    if (selected || (icr !== false && isRelated(item, definedUsed, claims))) add(item);
  }
  // a CRD selected only because its custom resources are cluster-scoped
  if (icr !== false) {
    for (const item of clusterItems) {
      if (item.groupResource !== CRD_RESOURCE || (chosen.get(CRD_RESOURCE) ?? []).includes(item)) continue;
      if (isRelated(item, definedUsed, claims)) add(item);
    }
  }

  const planned: PlannedResource[] = [];
  const nsMap = new Map<string, string>();
  let totalItems = 0;
  for (const gr of orderResources(chosen.keys(), opts.priorities ?? DEFAULT_RESTORE_PRIORITIES)) {
    const items = [...(chosen.get(gr) ?? [])].sort(
      (a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name),
    );
    for (const it of items) {
      const src = gr === 'namespaces' ? it.name : it.namespace;
      if (src !== undefined) nsMap.set(src, mapping[src] ?? src);
    }
    totalItems += items.length;
    planned.push({ groupResource: gr, items });
  }
  return { resources: planned, namespaces: nsMap, totalItems };
}

function isRelated(item: BackupItem, definedUsed: ReadonlySet<string>, claims: ReadonlySet<string>): boolean {
  if (item.groupResource === CRD_RESOURCE) {
    const defined = crdDefines(item.object);
    return defined !== undefined && definedUsed.has(defined);
  }
  if (item.groupResource === 'persistentvolumes') {
    const ref = child(child(item.object, 'spec'), 'claimRef');
    return claims.has(`${str(ref, 'namespace') ?? ''}/${str(ref, 'name') ?? ''}`);
  }
  return false;
}
