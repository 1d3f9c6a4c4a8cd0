// Restoring one planned item into the cluster: resolve its resource through discovery, transform
// it, make sure its namespace is there, apply it, and record what happened. Failures of this
// item throw; the caller records them and goes on with the next item.
import { randomUUID } from 'node:crypto';
import { SkiffError } from '../../repository/index.ts';
import { applyItem, type ApplyResult, type ExistingResourcePolicy } from './apply-item.ts';
import type { BackupItem } from './backup-contents.ts';
import { splitApiVersion, splitGroupResource, type ApiResource, type ClusterWriter } from './cluster-writer.ts';
import { ensureNamespace, type WaitOptions } from './cluster-waits.ts';
import type { ActionContext } from './item-actions.ts';
import type { RestoreResults } from './results.ts';
import type { RunLog } from './run-log.ts';
import { targetNamespace, transformItem } from './transform.ts';
import { child, metadataOf, nameOf, str, type JsonObject } from './unstructured.ts';

export interface RestoredPod {
  /** target namespace */
  readonly namespace: string;
  readonly name: string;
  /** the new pod's uid */
  readonly uid: string;
  readonly sourceNamespace: string;
  /** the pod as it was in the backup (its volumes and annotations name what to restore) */
  readonly backedUp: JsonObject;
}

/**
 * Adjusts the object about to be created for `item` (in place; `item.object` is the backed-up
 * original), or returns a reason to skip the item instead (pod volume restores use it).
 */
export type RestoreItemHook = (item: BackupItem, obj: JsonObject) => string | undefined;

/** State shared by the items of one restore. */
export interface RunState {
  readonly cluster: ClusterWriter;
  readonly log: RunLog;
  readonly results: RestoreResults;
  readonly policy: ExistingResourcePolicy;
  readonly actions: ActionContext & { readonly pvRenames: Map<string, string>; readonly pvsToProvision: Set<string> };
  /** PersistentVolumes (backed-up names) that exist after this restore's PV step */
  readonly restoredPvs: Set<string>;
  /** target namespace → the transformed Namespace object from the backup */
  readonly namespaceTemplates: ReadonlyMap<string, JsonObject>;
  /** target namespace → whether ensuring it created it */
  readonly namespacesReady: Map<string, Promise<boolean>>;
  readonly namespaceWait: WaitOptions;
  readonly restoredPods: RestoredPod[];
  /** groupResource → version recorded in the tarball, for objects without apiVersion */
  readonly versions: ReadonlyMap<string, string>;
  readonly itemHook?: RestoreItemHook | undefined;
}

/**
 * The resource to write `item` to, at the version it was backed up in: the object's apiVersion,
 * else the version the tarball recorded for its resource (`fallbackVersion`).
 */
export async function resolveResource(w: ClusterWriter, item: BackupItem, fallbackVersion?: string): Promise<ApiResource> {
  const { resource, group } = splitGroupResource(item.groupResource);
  const own = str(item.object, 'apiVersion');
  const version = own === undefined ? (fallbackVersion ?? '') : splitApiVersion(own).version;
  const apiVersion = own ?? (version === '' ? '' : group === '' ? version : `${group}/${version}`);
  let res = await w.findResource(group, resource, version);
  if (res === undefined) {
    await w.refreshDiscovery();
    res = await w.findResource(group, resource, version);
  }
  if (res === undefined) throw new SkiffError('NotFound', `the cluster does not serve ${item.groupResource} at ${apiVersion || 'an unknown version'}`);
  return res;
}

/** Resolves true when this call (or an earlier one in the restore) created the namespace. */
function ensureReady(state: RunState, ns: string): Promise<boolean> {
  let p = state.namespacesReady.get(ns);
  if (p === undefined) {
    p = ensureNamespace(state.cluster, ns, state.namespaceTemplates.get(ns), state.namespaceWait).then((created) => {
      if (created) state.log.info('created namespace', { namespace: ns });
      return created;
    });
    p.catch(() => state.namespacesReady.delete(ns));
    state.namespacesReady.set(ns, p);
  }
  return p.catch((err: unknown) => {
    throw new SkiffError('Transient', `namespace ${ns} is not ready: ${(err as Error).message}`, { cause: err });
  });
}

/** PV and PVC bookkeeping that needs the cluster: renames and claims to provision again. */
async function prepareVolumes(state: RunState, item: BackupItem, res: ApiResource): Promise<void> {
  const spec = child(item.object, 'spec');
  if (item.groupResource === 'persistentvolumes') {
    const claimNs = str(child(spec, 'claimRef'), 'namespace');
    if (claimNs === undefined || state.actions.namespaceMapping[claimNs] === undefined) return;
    if ((await state.cluster.get(res, undefined, item.name)) !== undefined) {
      state.actions.pvRenames.set(item.name, `skiff-clone-${randomUUID()}`);
    }
    return;
  }
  const volume = str(spec, 'volumeName');
  if (volume === undefined || state.restoredPvs.has(volume) || state.actions.pvsToProvision.has(volume)) return;
  if (state.actions.pvRenames.has(volume)) return;
  const pvRes = await state.cluster.findResource('', 'persistentvolumes', 'v1');
  if (pvRes !== undefined && (await state.cluster.get(pvRes, undefined, volume)) === undefined) state.actions.pvsToProvision.add(volume);
}

/** Restores one item. Returns the apply result, or undefined when the item was skipped. */
export async function restoreItem(state: RunState, item: BackupItem): Promise<ApplyResult | undefined> {
  const res = await resolveResource(state.cluster, item, state.versions.get(item.groupResource));
  const ref = item.namespace === undefined ? item.name : `${item.namespace}/${item.name}`;
  const fields = { resource: item.groupResource, name: ref };
  if (item.groupResource === 'persistentvolumes' || item.groupResource === 'persistentvolumeclaims') {
    await prepareVolumes(state, item, res);
  }
  let t = transformItem(item, state.actions);
  const hookSkip = t.action === 'restore' ? state.itemHook?.(item, t.object) : undefined;
  if (hookSkip !== undefined) t = { action: 'skip', reason: hookSkip };
  if (t.action === 'skip') {
    if (item.groupResource === 'persistentvolumes') state.actions.pvsToProvision.add(item.name);
    state.log.info(`skipped: ${t.reason}`, fields);
    return undefined;
  }
  const obj = t.object;
  const target = item.namespace === undefined ? undefined : targetNamespace(state.actions, item.namespace);
  for (const w of t.warnings) state.results.warnings.add(target, w);
  if (res.namespaced && target === undefined) {
    throw new SkiffError('Permanent', `${item.groupResource} is namespaced in the cluster but ${item.name} was backed up without a namespace`);
  }
  if (!res.namespaced) delete metadataOf(obj)['namespace'];
  obj['apiVersion'] ??= res.group === '' ? res.version : `${res.group}/${res.version}`;
  obj['kind'] ??= res.kind;
  if (res.namespaced && target !== undefined) await ensureReady(state, target);
  // a Namespace item is created from the same object by ensureReady, which also waits out a
  // terminating namespace of that name
  if (item.groupResource === 'namespaces' && (await ensureReady(state, nameOf(obj)))) return { result: 'created', object: obj };

  const applied = await applyItem(state.cluster, res, item.groupResource, obj, state.policy);
  const scope = res.namespaced ? target : undefined;
  switch (applied.result) {
    case 'created':
      state.log.info('restored', fields);
      break;
    case 'unchanged':
      state.log.info('skipped: already exists and is the same as the backed-up version', fields);
      break;
    case 'updated':
      state.log.info('updated the existing object to match the backup', fields);
      break;
    case 'skipped':
    case 'update-failed':
      state.results.warnings.add(scope, applied.warning);
      state.log.warn(applied.warning, fields);
      break;
  }
  if (item.groupResource === 'persistentvolumes') state.restoredPvs.add(item.name);
  if (item.groupResource === 'pods' && applied.result === 'created' && target !== undefined) {
    const uid = str(child(applied.object, 'metadata'), 'uid') ?? '';
    state.restoredPods.push({ namespace: target, name: item.name, uid, sourceNamespace: item.namespace ?? '', backedUp: item.object });
  }
  return applied;
}
