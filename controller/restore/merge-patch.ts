// JSON merge patch (RFC 7386) between two objects: applying the result to `original` yields
// `modified`. Arrays are replaced whole; fields absent from `modified` become null (removed).
import { deepEqual, isObject, type JsonObject } from './unstructured.ts';

export function createMergePatch(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const k of Object.keys(original)) if (!Object.hasOwn(modified, k)) patch[k] = null;
  for (const [k, m] of Object.entries(modified)) {
    const o = original[k];
    if (!Object.hasOwn(original, k) || o === undefined) {
      patch[k] = m;
    } else if (isObject(o) && isObject(m)) {
      const sub = createMergePatch(o, m);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!deepEqual(o, m)) {
      patch[k] = m;
    }
  }
  return patch;
}

/** Applies a merge patch (RFC 7386) to a copy of `target`. */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, p] of Object.entries(patch)) {
    if (p === null) delete out[k];
    else if (isObject(p)) {
      const t = out[k];
      out[k] = applyMergePatch(isObject(t) ? t : {}, p);
    } else out[k] = structuredClone(p);
  }
  return out;
}
