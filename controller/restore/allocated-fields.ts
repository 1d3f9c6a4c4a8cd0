// Fields the cluster fills in when an object is created, which the restore deliberately leaves
// out (cluster IPs, auto-assigned node ports, a pod's node, a job's generated selector, ...).
// When an object already exists, its values are carried into the desired object before the two
// are compared or patched, so that "exists" is not reported as "differs" for them alone, and an
// update never tries to clear them.
import { child, childArray, deepClone, isObject, setMetaEntry, str, stringMap, type JsonObject } from './unstructured.ts';

type Carry = (desired: JsonObject, live: JsonObject) => void;

function carryField(desired: JsonObject | undefined, live: JsonObject | undefined, key: string): void {
  if (desired !== undefined && live !== undefined && desired[key] === undefined && live[key] !== undefined) {
    desired[key] = deepClone(live[key] as NonNullable<JsonObject[string]>);
  }
}

function carryAnnotations(desired: JsonObject, live: JsonObject, keys: readonly string[]): void {
  const have = stringMap(desired, 'annotations');
  const liveAnn = stringMap(live, 'annotations');
  for (const k of keys) {
    const v = liveAnn[k];
    if (have[k] === undefined && v !== undefined) setMetaEntry(desired, 'annotations', k, v);
  }
}

function carryLabels(desired: JsonObject | undefined, live: JsonObject | undefined, keys: readonly string[]): void {
  const d = child(child(desired, 'metadata'), 'labels');
  const l = child(child(live, 'metadata'), 'labels');
  if (d === undefined || l === undefined) return;
  for (const k of keys) if (d[k] === undefined && l[k] !== undefined) d[k] = l[k];
}

const service: Carry = (desired, live) => {
  const d = child(desired, 'spec');
  const l = child(live, 'spec');
  carryField(d, l, 'clusterIP');
  carryField(d, l, 'clusterIPs');
  carryField(d, l, 'healthCheckNodePort');
  const livePorts = (childArray(l, 'ports') ?? []).filter(isObject);
  for (const p of childArray(d, 'ports') ?? []) {
    if (!isObject(p)) continue;
    const match = livePorts.find((lp) => lp['port'] === p['port'] && (str(lp, 'protocol') ?? 'TCP') === (str(p, 'protocol') ?? 'TCP'));
    carryField(p, match, 'nodePort');
  }
};

const pvc: Carry = (desired, live) => {
  carryField(child(desired, 'spec'), child(live, 'spec'), 'volumeName');
  carryAnnotations(desired, live, [
    'pv.kubernetes.io/bind-completed',
    'pv.kubernetes.io/bound-by-controller',
    'volume.beta.kubernetes.io/storage-provisioner',
    'volume.kubernetes.io/storage-provisioner',
    'volume.kubernetes.io/selected-node',
  ]);
};

const pod: Carry = (desired, live) => {
  carryField(child(desired, 'spec'), child(live, 'spec'), 'nodeName');
  carryField(child(desired, 'spec'), child(live, 'spec'), 'priority');
};

const job: Carry = (desired, live) => {
  carryField(child(desired, 'spec'), child(live, 'spec'), 'selector');
  const tmpl = (o: JsonObject): JsonObject | undefined => child(child(o, 'spec'), 'template');
  carryLabels(tmpl(desired), tmpl(live), ['controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name']);
};

const secret: Carry = (desired, live) => {
  if (str(desired, 'type') !== 'kubernetes.io/service-account-token') return;
  carryField(desired, live, 'data');
  carryAnnotations(desired, live, ['kubernetes.io/service-account.uid']);
};

const CARRIES: Readonly<Record<string, Carry>> = {
  services: service,
  persistentvolumeclaims: pvc,
  pods: pod,
  'jobs.batch': job,
  secrets: secret,
};

/** A copy of `desired` with the live object's cluster-allocated values filled in. */
export function withAllocatedFields(groupResource: string, desired: JsonObject, live: JsonObject): JsonObject {
  const out = deepClone(desired);
  CARRIES[groupResource]?.(out, live);
  return out;
}
