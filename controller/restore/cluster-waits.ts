// Waiting on the target cluster: a namespace must exist and not be terminating before anything is
// restored into it (§5.10: up to the terminating-resource timeout, default 10 m); a restored CRD
// must be Established and served by discovery before its custom resources are (default 1 m).
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { isCode, SkiffError } from '../../repository/index.ts';
import type { ApiResource, ClusterWriter } from './cluster-writer.ts';
import { child, childArray, isObject, str, type JsonObject } from './unstructured.ts';

export interface WaitOptions {
  readonly timeoutMs: number;
  /** default 250 ms */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** injected for tests; default timers/promises setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** milliseconds clock for the deadline; default Date.now */
  readonly now?: () => number;
}

async function pollUntil(what: string, opts: WaitOptions, done: () => Promise<boolean>): Promise<void> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => sleepTimer(ms, undefined, signal === undefined ? {} : { signal }));
  const deadline = now() + opts.timeoutMs;
  for (;;) {
    if (await done()) return;
    if (opts.signal?.aborted === true) throw new SkiffError('Cancelled', `stopped waiting for ${what}`);
    if (now() >= deadline) throw new SkiffError('Transient', `timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${what}`);
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
}

export async function namespaceResource(w: ClusterWriter): Promise<ApiResource> {
  const res = await w.findResource('', 'namespaces', 'v1');
  if (res === undefined) throw new SkiffError('Permanent', 'the API server does not serve namespaces (v1)');
  return res;
}

/**
 * Makes sure namespace `name` exists and is not terminating: waits out a terminating one, then
 * creates `template` (or a bare Namespace) when it is missing. Returns whether it created it.
 */
export async function ensureNamespace(w: ClusterWriter, name: string, template: JsonObject | undefined, opts: WaitOptions): Promise<boolean> {
  const res = await namespaceResource(w);
  let live = await w.get(res, undefined, name);
  if (live !== undefined && str(child(live, 'status'), 'phase') === 'Terminating') {
    await pollUntil(`namespace ${name} to finish terminating`, opts, async () => (live = await w.get(res, undefined, name)) === undefined);
  }
  if (live !== undefined) return false;
  const body = template ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  try {
    await w.create(res, body);
    return true;
  } catch (err) {
    if (isCode(err, 'Conflict')) return false;
    throw err;
  }
}

function isEstablished(crd: JsonObject | undefined): boolean {
  return (childArray(child(crd, 'status'), 'conditions') ?? []).some(
    (c) => isObject(c) && str(c, 'type') === 'Established' && str(c, 'status') === 'True',
  );
}

/** The versions a CRD object serves. */
function servedVersions(crd: JsonObject): string[] {
  const spec = child(crd, 'spec');
  const versions = (childArray(spec, 'versions') ?? []).filter(isObject);
  const served = versions.filter((v) => v['served'] !== false).map((v) => str(v, 'name') ?? '');
  const legacy = str(spec, 'version'); // apiextensions v1beta1
  return served.length > 0 ? served : legacy === undefined ? [] : [legacy];
}

/**
 * Waits until the CRD named like `crd` is Established and discovery serves its resource at every
 * served version.
 */
export async function waitForCrd(w: ClusterWriter, crdRes: ApiResource, crd: JsonObject, opts: WaitOptions): Promise<void> {
  const name = str(child(crd, 'metadata'), 'name') ?? '';
  const spec = child(crd, 'spec');
  const group = str(spec, 'group') ?? '';
  const plural = str(child(spec, 'names'), 'plural') ?? '';
  const versions = servedVersions(crd);
  await pollUntil(`CustomResourceDefinition ${name} to be established and served`, opts, async () => {
    if (!isEstablished(await w.get(crdRes, undefined, name))) return false;
    await w.refreshDiscovery();
    for (const v of versions) if ((await w.findResource(group, plural, v)) === undefined) return false;
    return true;
  });
}
