/**
 * Kubernetes label selectors (`metav1.LabelSelector`): validation with the API server's rules,
 * matching against an object's labels, and the query-string form for list calls.
 * An empty selector (no labels, no expressions) matches everything.
 */
import type { LabelSelector } from './meta.ts';

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

function keyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key "${key}" has an invalid prefix`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

function valueProblem(key: string, value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) return `invalid value "${value}" for label key "${key}"`;
  return undefined;
}

/** Problems with a selector, each one line; empty when valid. `where` names it in messages. */
export function selectorProblems(sel: LabelSelector, where: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    const p = keyProblem(k) ?? (typeof v === 'string' ? valueProblem(k, v) : `label "${k}" has a non-string value`);
    if (p !== undefined) out.push(`invalid ${where}: ${p}`);
  }
  for (const r of sel.matchExpressions ?? []) {
    const p = keyProblem(r.key);
    if (p !== undefined) out.push(`invalid ${where}: ${p}`);
    const values = r.values ?? [];
    if (!OPERATORS.includes(r.operator)) out.push(`invalid ${where}: "${r.operator}" is not a valid operator (In, NotIn, Exists, DoesNotExist)`);
    else if ((r.operator === 'In' || r.operator === 'NotIn') && values.length === 0)
      out.push(`invalid ${where}: operator ${r.operator} on "${r.key}" needs at least one value`);
    else if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && values.length > 0)
      out.push(`invalid ${where}: operator ${r.operator} on "${r.key}" takes no values`);
    for (const v of values) {
      const vp = valueProblem(r.key, v);
      if (vp !== undefined) out.push(`invalid ${where}: ${vp}`);
    }
  }
  return out;
}

/** Whether `labels` satisfy every requirement of `sel`. */
export function selectorMatches(sel: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, r.key);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!has || !values.includes(l[r.key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[r.key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The `labelSelector=` query form: `a=b,c in (x,y),d notin (z),e,!f`; '' for an empty selector. */
export function selectorQuery(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${values})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${values})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(',');
}
