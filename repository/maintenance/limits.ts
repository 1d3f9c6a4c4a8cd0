/** Prune's size limits as restic spells them: `5%`, `200M`, `unlimited`. */
import { SkiffError } from '../errors/errors.ts';

/** How much unused space may remain after prune. */
export type MaxUnused =
  | { readonly kind: 'percent'; readonly value: number }
  | { readonly kind: 'bytes'; readonly value: number }
  | { readonly kind: 'unlimited' };

export const DEFAULT_MAX_UNUSED: MaxUnused = { kind: 'percent', value: 5 };

const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `123`, `10k`, `200M`, `4G`, `1T` (powers of 1024, either case). */
export function parseSize(s: string): number {
  const m = /^\s*(\d+)\s*([kmgtKMGT]?)\s*$/.exec(s);
  if (!m) throw new SkiffError('Config', `invalid size "${s}": use a number with an optional k, M, G or T suffix`);
  return Number(m[1]) * UNIT[m[2]!.toLowerCase()]!;
}

export function parseMaxUnused(s: string): MaxUnused {
  const v = s.trim();
  if (v === 'unlimited') return { kind: 'unlimited' };
  if (v.endsWith('%')) {
    const p = Number(v.slice(0, -1));
    if (v.length === 1 || !Number.isFinite(p) || p < 0 || p >= 100) {
      throw new SkiffError('Config', `invalid --max-unused "${s}": a percentage must be at least 0 and below 100`);
    }
    return { kind: 'percent', value: p };
  }
  return { kind: 'bytes', value: parseSize(v) };
}

/**
 * Unused bytes tolerated after prune when `used` bytes are in use. A percentage is of the whole
 * repository after prune, as restic computes it: p / (100 - p) × used.
 */
export function maxUnusedBytes(m: MaxUnused, used: number): number {
  switch (m.kind) {
    case 'unlimited':
      return Number.POSITIVE_INFINITY;
    case 'bytes':
      return m.value;
    case 'percent':
      return Math.floor((m.value / (100 - m.value)) * used);
  }
}
