// Untyped Kubernetes objects as plain JSON, with the few accessors the restore needs. Objects
// restored from a backup can be of any kind, so nothing here assumes a schema.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj[key]` when it is an object, else undefined. */
export function child(obj: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = obj?.[key];
  return isObject(v) ? v : undefined;
}

/** `obj[key]` when it is an array, else undefined. */
export function childArray(obj: JsonObject | undefined, key: string): JsonValue[] | undefined {
  const v = obj?.[key];
  return Array.isArray(v) ? v : undefined;
}

export function str(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** The object's metadata, created empty when missing. */
export function metadataOf(obj: JsonObject): JsonObject {
  const m = child(obj, 'metadata');
  if (m !== undefined) return m;
  const created: JsonObject = {};
  obj['metadata'] = created;
  return created;
}

export function nameOf(obj: JsonObject): string {
  return str(child(obj, 'metadata'), 'name') ?? '';
}

export function namespaceOf(obj: JsonObject): string | undefined {
  const ns = str(child(obj, 'metadata'), 'namespace');
  return ns === undefined || ns === '' ? undefined : ns;
}

/** For messages: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectRef(obj: JsonObject): string {
  const ns = namespaceOf(obj);
  return ns === undefined ? nameOf(obj) : `${ns}/${nameOf(obj)}`;
}

export function kindOf(obj: JsonObject): string {
  return str(obj, 'kind') ?? '';
}

/** String-valued labels (or annotations: `field = 'annotations'`); non-strings are ignored. */
export function stringMap(obj: JsonObject, field: 'labels' | 'annotations' = 'labels'): Record<string, string> {
  const out: Record<string, string> = {};
  const m = child(child(obj, 'metadata'), field);
  if (m === undefined) return out;
  for (const [k, v] of Object.entries(m)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Sets `metadata[field][key] = value`, creating the map. */
export function setMetaEntry(obj: JsonObject, field: 'labels' | 'annotations', key: string, value: string): void {
  const meta = metadataOf(obj);
  const m = child(meta, field) ?? {};
  m[key] = value;
  meta[field] = m;
}

/** Removes `metadata[field][key]`, and the map when it becomes empty. */
export function deleteMetaEntry(obj: JsonObject, field: 'labels' | 'annotations', key: string): void {
  const meta = metadataOf(obj);
  const m = child(meta, field);
  if (m === undefined) return;
  delete m[key];
  if (Object.keys(m).length === 0) delete meta[field];
}

export function deepClone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

/** Structural equality of JSON values; key order does not matter. */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
