// One restore, from read backup contents to objects in the cluster: plan (filters, order), then
// item by item in priority order. A failing item is an error in the results, never the end of
// the restore; after the CRD step every restored CRD is waited for (Established and served)
// before any custom resource is written. Cancellation (signal) stops between items.
import type { RestoreSpec } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ExistingResourcePolicy } from './apply-item.ts';
import type { BackupContents, BackupItem } from './backup-contents.ts';
import type { ClusterWriter } from './cluster-writer.ts';
import { waitForCrd, type WaitOptions } from './cluster-waits.ts';
import { CRD_RESOURCE, planRestore } from './plan.ts';
import type { RestorePriorities } from './priorities.ts';
import { resolveResource, restoreItem, type RestoredPod, type RestoreItemHook, type RunState } from './restore-item.ts';
import type { RestoreResults } from './results.ts';
import type { RunLog } from './run-log.ts';
import { transformItem } from './transform.ts';
import { nameOf, type JsonObject } from './unstructured.ts';

export interface RestoreProgress {
  readonly totalItems: number;
  readonly itemsRestored: number;
}

export interface RestoreRunOptions {
  readonly restoreName: string;
  readonly backupName: string;
  readonly spec: RestoreSpec;
  readonly cluster: ClusterWriter;
  readonly log: RunLog;
  readonly results: RestoreResults;
  readonly priorities?: RestorePriorities;
  /** how long a restored CRD may take to be served; default 60 s */
  readonly crdTimeoutMs?: number;
  /** how long to wait for a terminating namespace to go; default 10 min */
  readonly namespaceTimeoutMs?: number;
  /** poll interval of both waits; default 250 ms */
  readonly pollMs?: number;
  readonly sleep?: WaitOptions['sleep'];
  readonly signal?: AbortSignal;
  /** called after each item (awaited; throttle inside if it writes status) */
  readonly onProgress?: (p: RestoreProgress) => Promise<void> | void;
  /** sees every object before it is created (pod volume restores) */
  readonly itemHook?: RestoreItemHook;
}

export interface RestoreRunOutcome extends RestoreProgress {
  /** pods created by this restore, for pod volume restores */
  readonly restoredPods: readonly RestoredPod[];
}

/** Short names from discovery, so `includedResources: [deploy]` works. */
async function discoveryAliases(w: ClusterWriter, contents: BackupContents): Promise<Map<string, readonly string[]>> {
  const out = new Map<string, readonly string[]>();
  for (const [gr, items] of contents.resources) {
    const first = items[0];
    if (first === undefined) continue;
    const res = await resolveResource(w, first, contents.versions.get(gr)).catch(() => undefined);
    if (res?.shortNames !== undefined) out.set(gr, res.shortNames);
  }
  return out;
}

function namespaceTemplates(contents: BackupContents, state: Pick<RunState, 'actions'>): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const item of contents.resources.get('namespaces') ?? []) {
    const t = transformItem(item, state.actions);
    if (t.action === 'restore') out.set(nameOf(t.object), t.object);
  }
  return out;
}

export async function runRestore(contents: BackupContents, opts: RestoreRunOptions): Promise<RestoreRunOutcome> {
  const { spec, log, results } = opts;
  for (const p of contents.problems) results.warnings.addGeneral(p);
  const aliases = await discoveryAliases(opts.cluster, contents);
  const plan = planRestore(contents, {
    spec,
    ...(opts.priorities === undefined ? {} : { priorities: opts.priorities }),
    aliases: (gr) => aliases.get(gr) ?? [],
  });
  const waitBase = {
    pollMs: opts.pollMs ?? 250,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.sleep === undefined ? {} : { sleep: opts.sleep }),
  };
  const policy: ExistingResourcePolicy = spec.existingResourcePolicy === 'update' ? 'update' : 'none';
  const actions = {
    backupName: opts.backupName,
    restoreName: opts.restoreName,
    namespaceMapping: spec.namespaceMapping ?? {},
    preserveNodePorts: spec.preserveNodePorts === true,
    restorePVs: spec.restorePVs !== false,
    pvRenames: new Map<string, string>(),
    pvsToProvision: new Set<string>(),
  };
  const state: RunState = {
    cluster: opts.cluster,
    log,
    results,
    policy,
    actions,
    restoredPvs: new Set(),
    namespaceTemplates: namespaceTemplates(contents, { actions }),
    namespacesReady: new Map(),
    namespaceWait: { ...waitBase, timeoutMs: opts.namespaceTimeoutMs ?? 600_000 },
    restoredPods: [],
    versions: contents.versions,
    itemHook: opts.itemHook,
  };
  log.info(`restoring ${plan.totalItems} items from backup ${opts.backupName}`, { formatVersion: contents.formatVersion || 'unknown' });
  let itemsRestored = 0;
  await opts.onProgress?.({ totalItems: plan.totalItems, itemsRestored });

  for (const { groupResource, items } of plan.resources) {
    log.info(`restoring ${groupResource}`, { count: items.length });
    const crds: BackupItem[] = [];
    for (const item of items) {
      if (opts.signal?.aborted === true) throw new SkiffError('Cancelled', 'restore cancelled');
      try {
        const applied = await restoreItem(state, item);
        if (groupResource === CRD_RESOURCE && applied !== undefined) crds.push(item);
      } catch (err) {
        if (err instanceof SkiffError && err.code === 'Cancelled') throw err;
        recordItemError(state, item, err);
      }
      itemsRestored++;
      await opts.onProgress?.({ totalItems: plan.totalItems, itemsRestored });
    }
    if (crds.length > 0) await waitForCrds(state, crds, { ...waitBase, timeoutMs: opts.crdTimeoutMs ?? 60_000 });
  }
  log.info('restore finished', { itemsRestored, warnings: results.warnings.count, errors: results.errors.count });
  return { totalItems: plan.totalItems, itemsRestored, restoredPods: state.restoredPods };
}

function recordItemError(state: RunState, item: BackupItem, err: unknown): void {
  const ns = item.namespace === undefined ? undefined : (state.actions.namespaceMapping[item.namespace] ?? item.namespace);
  const ref = ns === undefined ? item.name : `${ns}/${item.name}`;
  const msg = `error restoring ${item.groupResource} ${ref}: ${(err as Error).message}`;
  state.results.errors.add(ns, msg);
  state.log.error(msg, { resource: item.groupResource, name: ref });
}

async function waitForCrds(state: RunState, crds: readonly BackupItem[], wait: WaitOptions): Promise<void> {
  const first = crds[0];
  if (first === undefined) return;
  const crdRes = await resolveResource(state.cluster, first, state.versions.get(CRD_RESOURCE));
  for (const crd of crds) {
    try {
      await waitForCrd(state.cluster, crdRes, crd.object, wait);
      state.log.info('CustomResourceDefinition is established and served', { name: crd.name });
    } catch (err) {
      if (err instanceof SkiffError && err.code === 'Cancelled') throw err;
      const msg = `CustomResourceDefinition ${crd.name} is not available: ${(err as Error).message}`;
      state.results.errors.add(undefined, msg);
      state.log.error(msg, { resource: CRD_RESOURCE, name: crd.name });
    }
  }
}
