// Restore spec validation (velero-reference.md §5.3). The checks that need no API calls; the
// reconciler adds the backup lookup. Each problem is one message for `status.validationErrors`.
import { EXISTING_RESOURCE_POLICIES, type RestoreSpec } from '../../crds/index.ts';
import { validateIncludesExcludes } from './includes-excludes.ts';
import { selectorProblems } from '../../crds/index.ts';
import { NON_RESTORABLE_RESOURCES } from './plan.ts';

export const SOURCE_REQUIRED = 'either a backup or a schedule must be specified, not both';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAMESPACE_GLOB = /^[a-z0-9*?[\]!-]+$/;

function present(s: string | undefined): boolean {
  return s !== undefined && s.trim() !== '';
}

/** Entries of includedResources that name a resource Skiff never restores. */
export function nonRestorableIncludes(includes: readonly string[] | null | undefined): string[] {
  const hits = new Set<string>();
  for (const entry of includes ?? []) {
    const e = entry.toLowerCase();
    for (const nr of NON_RESTORABLE_RESOURCES) {
      const dot = nr.indexOf('.');
      if (e === nr || e === (dot === -1 ? nr : nr.slice(0, dot))) hits.add(entry);
    }
  }
  return [...hits];
}

export function validateRestoreSpec(spec: RestoreSpec): string[] {
  const errs: string[] = [];
  if (present(spec.backupName) === present(spec.scheduleName)) errs.push(SOURCE_REQUIRED);
  errs.push(...validateIncludesExcludes('namespaces', spec.includedNamespaces, spec.excludedNamespaces));
  for (const ns of [...(spec.includedNamespaces ?? []), ...(spec.excludedNamespaces ?? [])]) {
    if (ns !== '*' && ns.trim() !== '' && !NAMESPACE_GLOB.test(ns)) errs.push(`invalid namespace "${ns}": use lower-case names or globs`);
  }
  errs.push(...validateIncludesExcludes('resources', spec.includedResources, spec.excludedResources));
  const nr = nonRestorableIncludes(spec.includedResources);
  if (nr.length > 0) errs.push(`${nr.join(', ')} cannot be restored (non-restorable resources)`);
  if (spec.labelSelector != null && (spec.orLabelSelectors ?? []).length > 0) {
    errs.push('encountered labelSelector as well as orLabelSelectors in restore spec, only one can be specified');
  }
  for (const sel of [...(spec.labelSelector == null ? [] : [spec.labelSelector]), ...(spec.orLabelSelectors ?? [])]) {
    errs.push(...selectorProblems(sel, 'label selector'));
  }
  const policy = spec.existingResourcePolicy;
  if (policy !== undefined && (policy as string) !== '' && !(EXISTING_RESOURCE_POLICIES as readonly string[]).includes(policy)) {
    errs.push(`invalid existingResourcePolicy "${policy}": must be none or update`);
  }
  for (const [from, to] of Object.entries(spec.namespaceMapping ?? {})) {
    if (!DNS_LABEL.test(from) || from.length > 63) errs.push(`namespaceMapping: invalid source namespace "${from}"`);
    if (typeof to !== 'string' || !DNS_LABEL.test(to) || to.length > 63) errs.push(`namespaceMapping: invalid target namespace "${String(to)}" for "${from}"`);
  }
  return errs;
}
