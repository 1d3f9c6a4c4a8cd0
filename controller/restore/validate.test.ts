import test from 'ava';
import type { RestoreSpec } from '../../crds/index.ts';
import { selectorMatches, selectorQuery } from '../../crds/index.ts';
import { SOURCE_REQUIRED, validateRestoreSpec } from './validate.ts';

test('exactly one of backupName and scheduleName', (t) => {
  t.deepEqual(validateRestoreSpec({ backupName: 'b' }), []);
  t.deepEqual(validateRestoreSpec({ scheduleName: 's' }), []);
  t.deepEqual(validateRestoreSpec({ backupName: 'b', scheduleName: 's' }), [SOURCE_REQUIRED]);
  t.deepEqual(validateRestoreSpec({}), [SOURCE_REQUIRED]);
  t.deepEqual(validateRestoreSpec({ backupName: ' ' }), [SOURCE_REQUIRED]);
});

test('filters, selectors, policy and mapping are checked', (t) => {
  const bad = (s: Partial<RestoreSpec>) => validateRestoreSpec({ backupName: 'b', ...s });
  t.regex(bad({ excludedNamespaces: ['*'] })[0] ?? '', /cannot contain '\*'/);
  t.regex(bad({ includedNamespaces: ['*', 'a'] })[0] ?? '', /'\*' only/);
  t.regex(bad({ includedResources: ['pods'], excludedResources: ['pods'] })[0] ?? '', /cannot contain an item in the included list: pods/);
  t.regex(bad({ includedNamespaces: ['Bad_NS'] })[0] ?? '', /invalid namespace "Bad_NS"/);
  t.regex(bad({ includedResources: ['nodes', 'backups'] })[0] ?? '', /nodes, backups cannot be restored/);
  t.regex(bad({ labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { c: 'd' } }] })[0] ?? '', /only one can be specified/);
  t.regex(bad({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] } })[0] ?? '', /invalid label selector: operator In on "a" needs at least one value/);
  t.regex(bad({ labelSelector: { matchExpressions: [{ key: 'a', operator: 'Near' as 'In' }] } })[0] ?? '', /invalid label selector: "Near" is not a valid operator/);
  t.regex(bad({ labelSelector: { matchLabels: { 'bad key!': 'v' } } })[0] ?? '', /invalid label key/);
  t.regex(bad({ existingResourcePolicy: 'replace' as 'none' })[0] ?? '', /invalid existingResourcePolicy "replace"/);
  t.regex(bad({ namespaceMapping: { app: 'App2' } })[0] ?? '', /invalid target namespace "App2"/);
  t.deepEqual(bad({ existingResourcePolicy: 'update', namespaceMapping: { app: 'app2' }, orLabelSelectors: [{ matchLabels: { a: 'b' } }] }), []);
});

test('label selectors evaluate like the API server', (t) => {
  const labels = { app: 'web', tier: 'front' };
  t.true(selectorMatches({}, labels));
  t.true(selectorMatches({ matchLabels: { app: 'web' } }, labels));
  t.false(selectorMatches({ matchLabels: { app: 'db' } }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, labels));
  t.true(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels));
  t.false(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels));
  t.false(selectorMatches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }, labels));
  t.is(selectorQuery({ matchLabels: { a: 'b' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['d', 'e'] }, { key: 'f', operator: 'DoesNotExist' }] }), 'a=b,c in (d,e),!f');
});
