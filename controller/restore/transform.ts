// Turns a backed-up object into the object to create: Velero's `resetMetadataAndStatus` (§5.4),
// namespace mapping (§5.5), the per-kind actions (item-actions.ts), and the restore labels.
import { createHash } from 'node:crypto';
import { LABELS } from '../../crds/index.ts';
import type { BackupItem } from './backup-contents.ts';
import { ITEM_ACTIONS, type ActionContext } from './item-actions.ts';
import { deepClone, metadataOf, setMetaEntry, type JsonObject } from './unstructured.ts';

/** Server-set metadata removed before create (Velero's list, plus managedFields). */
export const STRIPPED_METADATA = [
  'generateName',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'managedFields',
] as const;

export type TransformContext = ActionContext;

export type Transformed =
  | { readonly action: 'restore'; readonly object: JsonObject; readonly warnings: readonly string[] }
  | { readonly action: 'skip'; readonly reason: string };

/** Removes server-set metadata and status in place. */
export function resetMetadataAndStatus(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  for (const k of STRIPPED_METADATA) delete meta[k];
  delete obj['status'];
  return obj;
}

/** A label value for a name: names over 63 characters are cut and given a hash suffix (as Velero). */
export function labelValue(name: string): string {
  if (name.length <= 63) return name;
  return name.slice(0, 57) + createHash('sha256').update(name).digest('hex').slice(0, 6);
}

export function addRestoreLabels(obj: JsonObject, backupName: string, restoreName: string): void {
  setMetaEntry(obj, 'labels', LABELS.backupName, labelValue(backupName));
  setMetaEntry(obj, 'labels', LABELS.restoreName, labelValue(restoreName));
}

export function targetNamespace(ctx: Pick<ActionContext, 'namespaceMapping'>, source: string): string {
  return ctx.namespaceMapping[source] ?? source;
}

/**
 * The object to create for `item`, or why it is skipped. Never mutates the item. Namespaced
 * items get the mapped namespace; the cluster-scoped `namespaces` items get the mapped name.
 */
export function transformItem(item: BackupItem, ctx: TransformContext): Transformed {
  const action = ITEM_ACTIONS[item.groupResource];
  const skip = action?.skip?.(item.object, ctx);
  if (skip !== undefined) return { action: 'skip', reason: skip };
  const obj = resetMetadataAndStatus(deepClone(item.object));
  const meta = metadataOf(obj);
  if (item.namespace !== undefined) meta['namespace'] = targetNamespace(ctx, item.namespace);
  else delete meta['namespace'];
  if (item.groupResource === 'namespaces') meta['name'] = targetNamespace(ctx, item.name);
  const warnings: string[] = [];
  action?.transform?.(obj, ctx, warnings, item.object);
  addRestoreLabels(obj, ctx.backupName, ctx.restoreName);
  return { action: 'restore', object: obj, warnings };
}
