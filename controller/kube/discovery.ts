import { isNotFound } from './api-error.ts';
import type { RestClient } from './rest.ts';

/** One resource type as discovery reports it (subresources such as `pods/log` are left out). */
export interface ApiResourceInfo {
  /** '' for the core group */
  readonly group: string;
  readonly version: string;
  /** plural name used in paths, e.g. `deployments` */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames: readonly string[];
}

/** A group at its preferred version, with that version's resources. */
export interface PreferredGroup {
  /** '' for the core group */
  readonly group: string;
  readonly version: string;
  /** `v1` or `apps/v1` */
  readonly groupVersion: string;
  readonly resources: readonly ApiResourceInfo[];
}

interface RawResourceList {
  groupVersion?: string;
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[]; shortNames?: string[] }[];
}

interface RawGroupList {
  groups?: { name: string; versions?: { groupVersion: string; version: string }[]; preferredVersion?: { groupVersion: string; version: string } }[];
}

/** Splits `apps/v1` into group and version; `v1` is the core group. */
export function parseGroupVersion(groupVersion: string): { group: string; version: string } {
  const i = groupVersion.indexOf('/');
  return i < 0 ? { group: '', version: groupVersion } : { group: groupVersion.slice(0, i), version: groupVersion.slice(i + 1) };
}

/**
 * The resources served at one group/version (`v1`, `apps/v1`), or undefined when the API server
 * does not serve it (yet): a restored CRD's group is served shortly after it is Established.
 */
export async function serverResourcesForGroupVersion(rest: RestClient, groupVersion: string): Promise<ApiResourceInfo[] | undefined> {
  const { group, version } = parseGroupVersion(groupVersion);
  const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  let list: RawResourceList;
  try {
    list = await rest.json<RawResourceList>({ method: 'GET', path });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({
      group,
      version,
      resource: r.name,
      kind: r.kind,
      namespaced: r.namespaced,
      verbs: r.verbs ?? [],
      shortNames: r.shortNames ?? [],
    }));
}

export interface PreferredResourcesOptions {
  /**
   * Called for a group whose discovery failed (an aggregated API that is down, say); that group is
   * left out. Without it the first failure is thrown.
   */
  onGroupError?: (groupVersion: string, err: unknown) => void;
}

/**
 * Every API group at its preferred version with its resources, the core group (`v1`) first, then
 * the groups in the order the API server lists them. This is what a backup collects from.
 */
export async function serverPreferredResources(rest: RestClient, opts: PreferredResourcesOptions = {}): Promise<PreferredGroup[]> {
  const groups = await rest.json<RawGroupList>({ method: 'GET', path: '/apis' });
  const versions = ['v1'];
  for (const g of groups.groups ?? []) {
    const preferred = g.preferredVersion ?? g.versions?.[0];
    if (preferred !== undefined) versions.push(preferred.groupVersion);
  }
  const out: PreferredGroup[] = [];
  for (const gv of versions) {
    let resources: ApiResourceInfo[] | undefined;
    try {
      resources = await serverResourcesForGroupVersion(rest, gv);
    } catch (err) {
      if (opts.onGroupError === undefined || gv === 'v1') throw err;
      opts.onGroupError(gv, err);
      continue;
    }
    if (resources === undefined) continue;
    out.push({ ...parseGroupVersion(gv), groupVersion: gv, resources });
  }
  return out;
}

/** The API server's version (`GET /version`). */
export async function serverVersion(rest: RestClient): Promise<{ major: string; minor: string; gitVersion: string }> {
  const v = await rest.json<{ major?: string; minor?: string; gitVersion?: string }>({ method: 'GET', path: '/version' });
  return { major: v.major ?? '', minor: v.minor ?? '', gitVersion: v.gitVersion ?? '' };
}
