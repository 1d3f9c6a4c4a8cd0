/**
 * Label selector strings (kubectl's syntax) to metav1.LabelSelector: `k=v`, `k==v`, `k!=v`,
 * `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by commas; and back, for tables.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../crds/index.ts';
import { selectorQuery } from '../../crds/index.ts';
import { SkiffError } from '../../repository/index.ts';

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function bad(s: string, why: string): SkiffError {
  return new SkiffError('Config', `invalid label selector ${JSON.stringify(s)}: ${why}`);
}

/** Splits on commas outside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

function checkKey(s: string, key: string): string {
  if (!KEY.test(key)) throw bad(s, `bad key ${JSON.stringify(key)}`);
  return key;
}

function checkValue(s: string, v: string): string {
  if (v.length > 63 || !VALUE.test(v)) throw bad(s, `bad value ${JSON.stringify(v)}`);
  return v;
}

export function parseLabelSelector(s: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const term of terms(s)) {
    if (term === '') throw bad(s, 'empty term');
    const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (set !== null) {
      const values = set[3]!.split(',').map((v) => checkValue(s, v.trim()));
      matchExpressions.push({ key: checkKey(s, set[1]!), operator: set[2] === 'in' ? 'In' : 'NotIn', values });
    } else if (eq !== null) {
      const key = checkKey(s, eq[1]!);
      const value = checkValue(s, eq[3]!);
      if (eq[2] === '!=') matchExpressions.push({ key, operator: 'NotIn', values: [value] });
      else matchLabels[key] = value;
    } else if (term.startsWith('!')) {
      matchExpressions.push({ key: checkKey(s, term.slice(1).trim()), operator: 'DoesNotExist' });
    } else {
      matchExpressions.push({ key: checkKey(s, term), operator: 'Exists' });
    }
  }
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** Velero's --or-selector: selectors joined by " or ". */
export function parseOrSelectors(s: string): LabelSelector[] {
  return s.split(/\s+or\s+/).map((part) => parseLabelSelector(part.trim()));
}

export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  if (sel === null || sel === undefined) return '<none>';
  return selectorQuery(sel) || '<none>';
}
