/**
 * Include/exclude lists as Velero applies them. Namespaces take globs (`*`, `?`, `[a-z]`,
 * `[!x]`); resources take names as `kubectl` does (plural, singular, kind, short name, or
 * `resource.group`) resolved against discovery, with `*` meaning all.
 */
import { type ApiResource, groupResource } from './cluster-reader.ts';

/** A glob as an anchored regular expression; throws on an unclosed `[`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new Error(`unclosed "[" in "${glob}"`);
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function isGlob(s: string): boolean {
  return /[*?[]/.test(s);
}

/** Namespace include/exclude globs. Empty includes mean all. */
export class NamespaceFilter {
  readonly #includes: RegExp[];
  readonly #excludes: RegExp[];
  readonly #all: boolean;

  constructor(includes: readonly string[] | null | undefined, excludes: readonly string[] | null | undefined) {
    const inc = includes ?? [];
    this.#all = inc.length === 0 || inc.includes('*');
    this.#includes = this.#all ? [] : inc.map(globToRegExp);
    this.#excludes = (excludes ?? []).map(globToRegExp);
  }

  /** True when every namespace passes: listing can be cluster-wide. */
  includesEverything(): boolean {
    return this.#all && this.#excludes.length === 0;
  }

  matches(ns: string): boolean {
    if (this.#excludes.some((r) => r.test(ns))) return false;
    return this.#all || this.#includes.some((r) => r.test(ns));
  }
}

/** The group-resources a user's resource name stands for; `[name]` itself when discovery has no match. */
export function resolveResourceName(name: string, resources: readonly ApiResource[]): { resolved: string[]; known: boolean } {
  const n = name.toLowerCase();
  const dot = n.indexOf('.');
  const base = dot < 0 ? n : n.slice(0, dot);
  const group = dot < 0 ? undefined : n.slice(dot + 1);
  const hits = resources.filter(
    (r) =>
      (group === undefined || r.group === group) &&
      (r.name === base || r.singularName === base || r.kind.toLowerCase() === base || r.shortNames.includes(base)),
  );
  if (hits.length === 0) return { resolved: [n], known: false };
  return { resolved: [...new Set(hits.map(groupResource))], known: true };
}

/** Resource include/exclude lists resolved to group-resource strings (`deployments.apps`, `pods`). */
export class ResourceFilter {
  readonly #includes: Set<string>;
  readonly #excludes: Set<string>;
  readonly #all: boolean;
  /** names given by the user that discovery does not know (Velero ignores them with a warning) */
  readonly unknown: string[] = [];

  constructor(includes: readonly string[] | null | undefined, excludes: readonly string[] | null | undefined, resources: readonly ApiResource[]) {
    const inc = includes ?? [];
    this.#all = inc.length === 0 || inc.includes('*');
    this.#includes = this.#all ? new Set() : this.#resolve(inc, resources);
    this.#excludes = this.#resolve(excludes ?? [], resources);
  }

  #resolve(names: readonly string[], resources: readonly ApiResource[]): Set<string> {
    const out = new Set<string>();
    for (const name of names) {
      const r = resolveResourceName(name, resources);
      if (!r.known) this.unknown.push(name);
      for (const gr of r.resolved) out.add(gr);
    }
    return out;
  }

  /** Listed in the excludes: even items other objects pull in (CRDs, PVs) stay out. */
  excluded(gr: string): boolean {
    return this.#excludes.has(gr);
  }

  shouldInclude(gr: string): boolean {
    if (this.#excludes.has(gr)) return false;
    return this.#all || this.#includes.has(gr);
  }
}
