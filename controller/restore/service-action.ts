// Service restore (velero-reference.md §5.9): the cluster IP is allocated again (headless
// services keep `None`); node ports the API server auto-assigned are dropped so they are
// assigned again, while ports the user set explicitly (seen in kubectl's last-applied annotation
// or in managedFields) are kept. `preserveNodePorts` keeps all of them.
import type { ItemAction } from './item-actions.ts';
import { child, childArray, isObject, str, stringMap, type JsonObject } from './unstructured.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function portKey(p: JsonObject): string {
  return `${String(p['port'])}/${str(p, 'protocol') ?? 'TCP'}`;
}

/** `port/protocol` of ports whose nodePort the user set, and whether healthCheckNodePort was set. */
export function explicitNodePorts(backedUp: JsonObject): { ports: Set<string>; healthCheck: boolean } {
  const ports = new Set<string>();
  let healthCheck = false;
  const applied = stringMap(backedUp, 'annotations')[LAST_APPLIED];
  if (applied !== undefined) {
    try {
      const parsed: unknown = JSON.parse(applied);
      const spec = isObject(parsed as JsonObject) ? child(parsed as JsonObject, 'spec') : undefined;
      for (const p of childArray(spec, 'ports') ?? []) if (isObject(p) && p['nodePort'] != null) ports.add(portKey(p));
      if (spec?.['healthCheckNodePort'] != null) healthCheck = true;
    } catch {
      // an unparsable annotation says nothing about node ports
    }
  }
  for (const entry of childArray(child(backedUp, 'metadata'), 'managedFields') ?? []) {
    const spec = child(child(isObject(entry) ? entry : undefined, 'fieldsV1'), 'f:spec');
    if (spec === undefined) continue;
    if (spec['f:healthCheckNodePort'] !== undefined) healthCheck = true;
    for (const [k, v] of Object.entries(child(spec, 'f:ports') ?? {})) {
      if (!k.startsWith('k:') || !isObject(v) || v['f:nodePort'] === undefined) continue;
      try {
        const key: unknown = JSON.parse(k.slice(2));
        if (isObject(key as JsonObject)) ports.add(portKey(key as JsonObject));
      } catch {
        // not a port key
      }
    }
  }
  return { ports, healthCheck };
}

export const serviceAction: ItemAction = {
  transform(svc, ctx, _warnings, backedUp) {
    const spec = child(svc, 'spec');
    if (spec === undefined) return;
    if (str(spec, 'clusterIP') !== 'None') {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (ctx.preserveNodePorts) return;
    const explicit = explicitNodePorts(backedUp);
    for (const p of childArray(spec, 'ports') ?? []) {
      if (isObject(p) && !explicit.ports.has(portKey(p))) delete p['nodePort'];
    }
    if (!explicit.healthCheck) delete spec['healthCheckNodePort'];
  },
};
