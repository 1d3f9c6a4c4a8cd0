/**
 * Backup spec validation, the reasons a Backup ends in `FailedValidation` (Velero's
 * `validateAndGetSnapshotLocations`/`prepareBackupRequest` checks, Skiff's wording).
 */
import type { BackupSpec } from '../../crds/index.ts';
import { parseGoDuration } from '../runtime/index.ts';
import { selectorProblems } from '../../crds/index.ts';
import { globToRegExp, isGlob } from './name-filters.ts';

export interface LocationFacts {
  /** the location the backup will use (its own or the default); undefined when there is none */
  readonly bslName?: string | undefined;
  readonly bslExists: boolean;
  /** accessMode is not ReadOnly */
  readonly bslWritable: boolean;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NS_GLOB_CHARS = /^[a-z0-9\-*?[\]!^]+$/;

/** Velero's `ValidateIncludesExcludes` rules, for any include/exclude pair. */
function listProblems(what: string, includes: readonly string[], excludes: readonly string[]): string[] {
  const out: string[] = [];
  const prefix = `invalid included/excluded ${what} lists`;
  if (includes.includes('*') && includes.length > 1) out.push(`${prefix}: includes list must either contain '*' only, or a non-empty list of items`);
  if (excludes.includes('*')) out.push(`${prefix}: excludes list cannot contain '*'`);
  for (const item of includes) {
    if (item !== '*' && excludes.includes(item)) out.push(`${prefix}: excludes list cannot contain an item in the includes list: ${item}`);
  }
  for (const item of [...includes, ...excludes]) if (item.trim() === '') out.push(`${prefix}: empty item`);
  return out;
}

function namespaceProblems(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (n === '*' || n === '') continue;
    if (isGlob(n)) {
      let ok = NS_GLOB_CHARS.test(n);
      try {
        globToRegExp(n);
      } catch {
        ok = false;
      }
      if (!ok) out.push(`invalid namespace pattern "${n}"`);
    } else if (n.length > 63 || !DNS_LABEL.test(n)) out.push(`invalid namespace name "${n}": must be a DNS-1123 label`);
  }
  return out;
}

/** Every reason the spec cannot run, one line each; empty when it is valid. */
export function validateBackup(spec: BackupSpec, loc: LocationFacts): string[] {
  const out: string[] = [];
  if (!loc.bslExists) {
    out.push(
      spec.storageLocation === undefined || spec.storageLocation === ''
        ? 'no storage location given and no default backup storage location exists'
        : `backup storage location "${spec.storageLocation}" not found`,
    );
  } else if (!loc.bslWritable) {
    out.push(`backup storage location "${loc.bslName ?? spec.storageLocation ?? ''}" is read-only; backups cannot be created in it`);
  }

  const inNs = spec.includedNamespaces ?? [];
  const exNs = spec.excludedNamespaces ?? [];
  out.push(...listProblems('namespace', inNs, exNs), ...namespaceProblems([...inNs, ...exNs]));
  out.push(...listProblems('resource', spec.includedResources ?? [], spec.excludedResources ?? []));

  const orSelectors = spec.orLabelSelectors ?? [];
  if (spec.labelSelector != null && orSelectors.length > 0) out.push('labelSelector and orLabelSelectors cannot both be set');
  if (spec.labelSelector != null) out.push(...selectorProblems(spec.labelSelector, 'labelSelector'));
  orSelectors.forEach((s, i) => out.push(...selectorProblems(s, `orLabelSelectors[${i}]`)));

  if (spec.ttl !== undefined && spec.ttl !== '') {
    let ms: number | undefined;
    try {
      ms = parseGoDuration(spec.ttl);
    } catch {
      out.push(`invalid ttl "${spec.ttl}": expected a duration such as 720h0m0s, 24h or 90m`);
    }
    if (ms !== undefined && ms < 0) out.push(`invalid ttl "${spec.ttl}": must not be negative`);
  }
  for (const h of spec.hooks?.resources ?? []) {
    if (h.labelSelector != null) out.push(...selectorProblems(h.labelSelector, `labelSelector of hook "${h.name}"`));
  }
  return out;
}
