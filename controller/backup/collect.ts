/**
 * Resource collection, Velero's item collector and inclusion checks: each group's preferred
 * version; namespace globs; resource names; `includeClusterResources` (true: every cluster-scoped
 * resource; false: none; null: all of them when every namespace is backed up, otherwise only the
 * CRDs of backed-up custom resources and the PVs bound to backed-up PVCs); label selector or
 * or-selectors; `skiff.dev/exclude-from-backup=true` and objects being deleted are skipped.
 * Namespace objects follow the namespace, resource and label filters, and are always kept for
 * namespaces that hold backed-up items (unless `namespaces` is explicitly excluded). Items are yielded as listed (one page in memory at a time), in a fixed
 * order: namespaced resources, namespaces, cluster-scoped resources, then pulled-in CRDs and PVs.
 * A failed list is reported through `log.error` and collection goes on; discovery failing throws.
 */
import type { BackupSpec, LabelSelector } from '../../crds/index.ts';
import { LABELS } from '../../crds/index.ts';
import type { KubeObject } from '../runtime/index.ts';
import { type ApiResource, type ClusterReader, apiVersionOf, groupResource } from './cluster-reader.ts';
import { selectorMatches, selectorQuery } from '../../crds/index.ts';
import { NamespaceFilter, ResourceFilter } from './name-filters.ts';
import { planResources } from './resource-plan.ts';

export interface CollectedItem {
  readonly group: string;
  readonly version: string;
  /** plural resource name */
  readonly resource: string;
  readonly kind: string;
  /** absent for cluster-scoped items */
  readonly namespace?: string;
  readonly name: string;
  readonly object: KubeObject;
}

/** Where collection reports; errors make the backup PartiallyFailed. */
export interface CollectLog {
  info(msg: string): void;
  warn(msg: string, scope?: { namespace?: string | undefined }): void;
  error(msg: string, scope?: { namespace?: string | undefined }): void;
}

const BUILTIN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'extensions']);
const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

function isCustom(r: ApiResource): boolean {
  return !BUILTIN_GROUPS.has(r.group) && !r.group.endsWith('.k8s.io');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function* collectResources(
  reader: ClusterReader,
  spec: BackupSpec,
  log: CollectLog,
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<CollectedItem> {
  const disc = await reader.discover();
  for (const f of disc.failures) log.warn(`discovery of ${f.groupVersion} failed, its resources are not backed up: ${f.message}`);
  const resources = planResources(disc.resources);
  const rf = new ResourceFilter(spec.includedResources, spec.excludedResources, disc.resources);
  for (const u of rf.unknown) log.warn(`resource "${u}" is not served by the cluster; ignored`);
  const nf = new NamespaceFilter(spec.includedNamespaces, spec.excludedNamespaces);
  const nsAll = nf.includesEverything();
  const selectors: LabelSelector[] = spec.labelSelector != null ? [spec.labelSelector] : (spec.orLabelSelectors ?? []);
  const query = spec.labelSelector != null ? selectorQuery(spec.labelSelector) : undefined;
  const nsRes = resources.find((r) => r.group === '' && r.name === 'namespaces');

  const withItems = new Set<string>();
  const wantedCrds = new Set<string>();
  const wantedPvs = new Set<string>();
  const emitted = { crds: new Set<string>(), pvs: new Set<string>() };

  const keep = (o: KubeObject, applySelector: boolean): boolean => {
    if (o.metadata.labels?.[LABELS.excludeFromBackup] === 'true') return false;
    if (o.metadata.deletionTimestamp !== undefined) return false;
    return !applySelector || selectors.length === 0 || selectors.some((s) => selectorMatches(s, o.metadata.labels));
  };

  const item = (r: ApiResource, o: KubeObject): CollectedItem => {
    const object = { ...o, apiVersion: o.apiVersion ?? apiVersionOf(r), kind: o.kind ?? r.kind };
    const ns = r.namespaced ? o.metadata.namespace : undefined;
    return { group: r.group, version: r.version, resource: r.name, kind: r.kind, ...(ns === undefined ? {} : { namespace: ns }), name: o.metadata.name ?? '', object };
  };

  async function* listed(r: ApiResource, ns: string | undefined, q: string | undefined): AsyncGenerator<KubeObject> {
    try {
      for await (const o of reader.list(r, { ...(ns === undefined ? {} : { namespace: ns }), ...(q === undefined ? {} : { labelSelector: q }), ...(opts.signal ? { signal: opts.signal } : {}) })) yield o;
    } catch (err) {
      if (opts.signal?.aborted === true) throw err;
      log.error(`listing ${groupResource(r)}${ns === undefined ? '' : ` in namespace ${ns}`} failed: ${message(err)}`, { namespace: ns });
    }
  }

  const track = (r: ApiResource, o: KubeObject): void => {
    if (r.namespaced && o.metadata.namespace !== undefined) withItems.add(o.metadata.namespace);
    if (isCustom(r)) wantedCrds.add(groupResource(r));
    const gr = groupResource(r);
    if (gr === 'persistentvolumeclaims') {
      const pv = (o as { spec?: { volumeName?: unknown } }).spec?.volumeName;
      if (typeof pv === 'string' && pv !== '') wantedPvs.add(pv);
    }
    if (gr === CRDS) emitted.crds.add(o.metadata.name ?? '');
    if (gr === 'persistentvolumes') emitted.pvs.add(o.metadata.name ?? '');
  };

  // Namespaces in scope, when not everything is (listing is then per namespace).
  let namespaces: Map<string, KubeObject> | undefined;
  if (!nsAll) {
    namespaces = new Map();
    if (nsRes === undefined) throw new Error('the cluster does not serve namespaces');
    for await (const o of reader.list(nsRes, opts.signal ? { signal: opts.signal } : {})) {
      const name = o.metadata.name ?? '';
      if (nf.matches(name)) namespaces.set(name, o);
    }
    log.info(`namespaces in scope: ${[...namespaces.keys()].sort().join(', ') || '(none)'}`);
  }

  for (const r of resources) {
    if (!r.namespaced || !rf.shouldInclude(groupResource(r))) continue;
    const scopes = namespaces === undefined ? [undefined] : [...namespaces.keys()].sort();
    for (const ns of scopes) {
      for await (const o of listed(r, ns, query)) {
        if (!keep(o, true)) continue;
        track(r, o);
        yield item(r, o);
      }
    }
  }

  if (nsRes !== undefined && !rf.excluded('namespaces')) {
    const explicit = rf.shouldInclude('namespaces');
    const source = namespaces !== undefined ? namespaces.values() : listed(nsRes, undefined, undefined);
    for await (const o of source) {
      const name = o.metadata.name ?? '';
      if (!nf.matches(name)) continue;
      if (withItems.has(name) ? keep(o, false) : explicit && keep(o, true)) yield item(nsRes, o);
    }
  }

  const ics = spec.includeClusterResources;
  if (ics === true || (ics == null && nsAll)) {
    for (const r of resources) {
      if (r.namespaced || r === nsRes || !rf.shouldInclude(groupResource(r))) continue;
      for await (const o of listed(r, undefined, query)) {
        if (!keep(o, true)) continue;
        track(r, o);
        yield item(r, o);
      }
    }
  }

  if (ics === false) return;
  yield* pulledIn(resources, CRDS, [...wantedCrds].filter((n) => !emitted.crds.has(n)));
  yield* pulledIn(resources, 'persistentvolumes', [...wantedPvs].filter((n) => !emitted.pvs.has(n)));

  async function* pulledIn(all: ApiResource[], gr: string, names: string[]): AsyncGenerator<CollectedItem> {
    const r = all.find((x) => groupResource(x) === gr);
    if (r === undefined || rf.excluded(gr)) return;
    for (const name of names.sort()) {
      try {
        const o = await reader.get(r, name);
        if (o !== undefined && keep(o, false)) yield item(r, o);
      } catch (err) {
        log.error(`getting ${gr} ${name} failed: ${message(err)}`);
      }
    }
  }
}
