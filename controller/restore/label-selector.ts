// Kubernetes LabelSelector evaluation (matchLabels AND matchExpressions), as the API server does it.
import type { LabelSelector } from '../../crds/index.ts';

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);
const QUALIFIED = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Problems with a selector (empty when valid), worded like the API server's. */
export function validateLabelSelector(sel: LabelSelector): string[] {
  const errs: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!QUALIFIED.test(k)) errs.push(`invalid label key "${k}"`);
    if (typeof v !== 'string' || !VALUE.test(v)) errs.push(`invalid label value "${String(v)}" for key "${k}"`);
  }
  for (const e of sel.matchExpressions ?? []) {
    if (!QUALIFIED.test(e.key ?? '')) errs.push(`invalid label key "${e.key}"`);
    if (!OPERATORS.has(e.operator)) {
      errs.push(`"${e.operator}" is not a valid label selector operator`);
      continue;
    }
    const values = e.values ?? [];
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0) {
      errs.push(`values must be non-empty for operator ${e.operator} (key "${e.key}")`);
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0) {
      errs.push(`values must be empty for operator ${e.operator} (key "${e.key}")`);
    }
    for (const v of values) if (!VALUE.test(v)) errs.push(`invalid label value "${v}" for key "${e.key}"`);
  }
  return errs;
}

/** Whether `labels` satisfy the selector. An empty selector matches everything. */
export function selectorMatches(sel: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The selector in kubectl's string form, for logs and results: `a=b,c in (d,e)`. */
export function formatSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vs = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vs})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vs})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
