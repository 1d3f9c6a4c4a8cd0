/** `--read-data-subset`: `n/t` (packs whose first ID byte mod t is n-1, as restic) or `P%`. */
import { randomInt } from 'node:crypto';
import { SkiffError } from '../errors/errors.ts';

export type Subset = { readonly kind: 'bucket'; readonly n: number; readonly t: number } | { readonly kind: 'percent'; readonly p: number };

export function parseSubset(s: string): Subset {
  const b = /^(\d+)\/(\d+)$/.exec(s);
  if (b) {
    const n = Number(b[1]);
    const t = Number(b[2]);
    if (t < 1 || n < 1 || n > t) throw new SkiffError('Config', `invalid subset "${s}": need 1 <= n <= t`);
    return { kind: 'bucket', n, t };
  }
  const p = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (p) {
    const v = Number(p[1]);
    if (!(v > 0 && v <= 100)) throw new SkiffError('Config', `invalid subset "${s}": percentage must be in (0, 100]`);
    return { kind: 'percent', p: v };
  }
  throw new SkiffError('Config', `invalid subset "${s}": use n/t or P%`);
}

export function selectSubset(packs: readonly string[], subset: Subset | undefined, random = randomInt): string[] {
  if (!subset) return [...packs];
  if (subset.kind === 'bucket') return packs.filter((id) => parseInt(id.slice(0, 2), 16) % subset.t === subset.n - 1);
  const want = Math.max(1, Math.round((packs.length * subset.p) / 100));
  const pool = [...packs];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, Math.min(want, pool.length));
}
