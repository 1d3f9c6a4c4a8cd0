// Velero's include/exclude lists (velero-reference.md §5.7): an empty include list or `*` means
// everything; an exclude always wins. Namespace lists take globs (`*`, `?`, `[a-z]`, `[!a]`).

export class IncludesExcludes {
  private readonly includes: readonly string[];
  private readonly excludes: readonly string[];
  private readonly matches: (pattern: string, candidate: string) => boolean;

  constructor(
    includes: readonly string[] | null | undefined,
    excludes: readonly string[] | null | undefined,
    matches: (pattern: string, candidate: string) => boolean,
  ) {
    this.includes = includes ?? [];
    this.excludes = excludes ?? [];
    this.matches = matches;
  }

  /** Whether an item known by any of `candidates` (its name and aliases) is in. */
  shouldInclude(...candidates: string[]): boolean {
    const hit = (patterns: readonly string[]): boolean => patterns.some((p) => candidates.some((c) => this.matches(p, c)));
    if (hit(this.excludes)) return false;
    if (this.includes.length === 0 || this.includes.includes('*')) return true;
    return hit(this.includes);
  }

  /** No include restriction and no excludes: Velero's `IncludeEverything`. */
  includesEverything(): boolean {
    return (this.includes.length === 0 || (this.includes.length === 1 && this.includes[0] === '*')) && this.excludes.length === 0;
  }
}

const globCache = new Map<string, RegExp>();

/** Shell-style glob to an anchored RegExp; `[!x]` negates a class. */
export function globToRegExp(glob: string): RegExp {
  const cached = globCache.get(glob);
  if (cached !== undefined) return cached;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  const out = new RegExp(`^${re}$`);
  globCache.set(glob, out);
  return out;
}

export function globMatch(pattern: string, candidate: string): boolean {
  return pattern === candidate || globToRegExp(pattern).test(candidate);
}

export function exactMatch(pattern: string, candidate: string): boolean {
  return pattern.toLowerCase() === candidate;
}

/** Velero's include/exclude list checks; returns the problems found (empty when valid). */
export function validateIncludesExcludes(
  what: string,
  includes: readonly string[] | null | undefined,
  excludes: readonly string[] | null | undefined,
): string[] {
  const inc = includes ?? [];
  const exc = excludes ?? [];
  const errs: string[] = [];
  if (inc.includes('*') && inc.length > 1) errs.push(`included ${what} list must either contain '*' only, or a non-empty list of items`);
  if (exc.includes('*')) errs.push(`excluded ${what} list cannot contain '*'`);
  for (const e of exc) if (inc.includes(e)) errs.push(`excluded ${what} list cannot contain an item in the included list: ${e}`);
  if ([...inc, ...exc].some((s) => s.trim() === '')) errs.push(`${what} lists cannot contain empty entries`);
  return errs;
}
