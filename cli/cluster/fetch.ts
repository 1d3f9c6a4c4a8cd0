/** Shared by the get/describe/delete verbs: objects by name, or all (optionally by label selector). */
import { readFile } from 'node:fs/promises';
import type { KubeObject } from '../../controller/runtime/types.ts';
import { SkiffError } from '../../repository/index.ts';
import type { ClusterClient } from './client.ts';
import type { FetchOptions } from './download.ts';
import { parseLabelSelector } from './selector.ts';

/** Named objects in the given order (NotFound for a missing one), else every object sorted by name. */
export async function fetchNamed<T extends KubeObject>(c: ClusterClient, plural: string, names: readonly string[], selector?: string): Promise<T[]> {
  if (names.length > 0) {
    if (selector !== undefined) throw new SkiffError('Config', 'give names or --selector, not both');
    const out: T[] = [];
    for (const n of names) {
      const obj = await c.get<T>(plural, n);
      if (obj === undefined) throw new SkiffError('NotFound', `${plural.replace(/s$/, '')} ${n} not found in namespace ${c.namespace}`);
      out.push(obj);
    }
    return out;
  }
  if (selector !== undefined) parseLabelSelector(selector);
  const items = await c.list<T>(plural, selector !== undefined ? { labelSelector: selector } : {});
  return items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** Names for delete-style verbs: NAMES, or --all, or -l; exactly one way. */
export async function targets(
  c: ClusterClient,
  plural: string,
  names: readonly string[],
  o: { all?: boolean; selector?: string },
): Promise<string[]> {
  const ways = [names.length > 0, o.all === true, o.selector !== undefined].filter(Boolean).length;
  if (ways !== 1) throw new SkiffError('Config', 'give names, --all or --selector (exactly one)');
  if (names.length > 0) return [...names];
  const items = await fetchNamed(c, plural, [], o.selector);
  return items.map((i) => i.metadata.name ?? '').filter((n) => n !== '');
}

/** --timeout, --cacert, --insecure-skip-tls-verify for commands that download through a DownloadRequest. */
export async function fetchOptions(o: { timeout?: string; cacert?: string; insecureSkipTlsVerify?: boolean }): Promise<FetchOptions> {
  const secs = o.timeout === undefined ? 60 : Number(o.timeout.replace(/s$/, ''));
  if (!Number.isFinite(secs) || secs <= 0) throw new SkiffError('Config', `--timeout: invalid number of seconds ${JSON.stringify(o.timeout)}`);
  return {
    timeoutMs: secs * 1000,
    ...(o.cacert !== undefined ? { caCert: await readFile(o.cacert) } : {}),
    ...(o.insecureSkipTlsVerify === true ? { insecureSkipTLSVerify: true } : {}),
  };
}
