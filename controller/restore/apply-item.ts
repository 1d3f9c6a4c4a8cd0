// Creating one restored object, and what happens when it already exists (velero-reference.md
// §5.6): the in-cluster object, without server-set metadata and status, is compared with the
// backed-up one. Equal: nothing to do. ServiceAccounts are merged (secrets, imagePullSecrets,
// missing labels and annotations) whatever the policy. Otherwise policy `none` leaves the object
// and warns; `update` merge-patches it to match the backup, guarded by the live resourceVersion.
import { isCode, SkiffError } from '../../repository/index.ts';
import { LABELS } from '../../crds/index.ts';
import { withAllocatedFields } from './allocated-fields.ts';
import type { ApiResource, ClusterWriter } from './cluster-writer.ts';
import { createMergePatch } from './merge-patch.ts';
import { resetMetadataAndStatus } from './transform.ts';
import {
  child,
  childArray,
  deepClone,
  deepEqual,
  isObject,
  kindOf,
  metadataOf,
  nameOf,
  namespaceOf,
  objectRef,
  str,
  stringMap,
  type JsonObject,
  type JsonValue,
} from './unstructured.ts';

export type ExistingResourcePolicy = 'none' | 'update';

export type ApplyResult =
  | { readonly result: 'created'; readonly object: JsonObject }
  /** already there and the same as the backup */
  | { readonly result: 'unchanged' }
  /** already there, different, left as it is; the warning says so */
  | { readonly result: 'skipped'; readonly warning: string }
  /** already there and patched (update policy, or a ServiceAccount merge) */
  | { readonly result: 'updated'; readonly object: JsonObject }
  /** the update failed; the warning says why */
  | { readonly result: 'update-failed'; readonly warning: string };

const UPDATE_ATTEMPTS = 3;

/** The live object as comparable with a desired one: server-set fields gone, restore labels copied. */
function comparable(live: JsonObject, desired: JsonObject): JsonObject {
  const out = resetMetadataAndStatus(deepClone(live));
  const want = stringMap(desired);
  const labels = child(metadataOf(out), 'labels') ?? {};
  for (const k of [LABELS.backupName, LABELS.restoreName]) {
    const v = want[k];
    if (v !== undefined) labels[k] = v;
  }
  if (Object.keys(labels).length > 0) metadataOf(out)['labels'] = labels;
  return out;
}

function describe(obj: JsonObject): string {
  return `${kindOf(obj) || 'object'} "${objectRef(obj)}"`;
}

/**
 * Creates `desired`; on AlreadyExists applies the policy. Other failures throw (the caller
 * records them as the item's error).
 */
export async function applyItem(
  w: ClusterWriter,
  res: ApiResource,
  groupResource: string,
  desired: JsonObject,
  policy: ExistingResourcePolicy,
): Promise<ApplyResult> {
  try {
    return { result: 'created', object: await w.create(res, desired) };
  } catch (err) {
    if (!isCode(err, 'Conflict')) throw err;
  }
  for (let attempt = 1; ; attempt++) {
    const live = await w.get(res, namespaceOf(desired), nameOf(desired));
    if (live === undefined) throw new SkiffError('Conflict', `${describe(desired)} already exists but could not be read`);
    const want = withAllocatedFields(groupResource, desired, live);
    const current = comparable(live, want);
    if (deepEqual(current, want)) return { result: 'unchanged' };
    let target = want;
    if (groupResource === 'serviceaccounts') target = mergeServiceAccount(current, want);
    else if (policy === 'none') {
      return { result: 'skipped', warning: `could not restore, ${describe(desired)} already exists and differs from the backed-up version` };
    }
    if (deepEqual(current, target)) return { result: 'unchanged' };
    const patch = createMergePatch(resetMetadataAndStatus(deepClone(live)), target);
    const meta = child(patch, 'metadata') ?? {};
    meta['resourceVersion'] = str(child(live, 'metadata'), 'resourceVersion') ?? null;
    patch['metadata'] = meta;
    try {
      return { result: 'updated', object: await w.mergePatch(res, namespaceOf(desired), nameOf(desired), patch) };
    } catch (err) {
      if (isCode(err, 'Conflict') && attempt < UPDATE_ATTEMPTS) continue;
      return { result: 'update-failed', warning: `could not update ${describe(desired)} to match the backup: ${(err as Error).message}` };
    }
  }
}

function byName(list: JsonValue[] | undefined): Map<string, JsonValue> {
  const out = new Map<string, JsonValue>();
  for (const v of list ?? []) if (isObject(v)) out.set(str(v, 'name') ?? '', v);
  return out;
}

/**
 * Velero's ServiceAccount merge: the live account keeps everything it has; the backup's secrets
 * and imagePullSecrets are appended when missing, and its labels and annotations added where
 * the live account has none under that key.
 */
export function mergeServiceAccount(live: JsonObject, backup: JsonObject): JsonObject {
  const out = deepClone(live);
  for (const field of ['secrets', 'imagePullSecrets']) {
    const have = byName(childArray(out, field));
    const add = [...byName(childArray(backup, field)).entries()].filter(([n]) => !have.has(n)).map(([, v]) => v);
    if (add.length > 0) out[field] = [...(childArray(out, field) ?? []), ...add];
  }
  for (const field of ['labels', 'annotations'] as const) {
    const have = child(metadataOf(out), field) ?? {};
    for (const [k, v] of Object.entries(stringMap(backup, field))) if (have[k] === undefined) have[k] = v;
    if (Object.keys(have).length > 0) metadataOf(out)[field] = have;
  }
  return out;
}
