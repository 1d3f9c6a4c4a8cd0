import test from 'ava';
import type { BackupSpec } from '../../crds/index.ts';
import { selectorMatches, selectorProblems, selectorQuery } from '../../crds/index.ts';
import { NamespaceFilter } from './name-filters.ts';
import { labelValue } from './start-backup.ts';
import { validateBackup } from './validate.ts';

const ok = { bslName: 'default', bslExists: true, bslWritable: true };

test('a plain spec and a full valid spec pass', (t) => {
  t.deepEqual(validateBackup({}, ok), []);
  const spec: BackupSpec = {
    includedNamespaces: ['app', 'team-*', 'db-[0-9]'],
    excludedNamespaces: ['kube-system'],
    includedResources: ['deployments', 'cm'],
    excludedResources: ['secrets'],
    includeClusterResources: null,
    labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
    ttl: '24h30m',
  };
  t.deepEqual(validateBackup(spec, ok), []);
});

test('storage location: missing, missing default, read-only', (t) => {
  t.deepEqual(validateBackup({ storageLocation: 'nope' }, { bslExists: false, bslWritable: true }), ['backup storage location "nope" not found']);
  t.deepEqual(validateBackup({}, { bslExists: false, bslWritable: true }), ['no storage location given and no default backup storage location exists']);
  t.deepEqual(validateBackup({}, { bslName: 'ro', bslExists: true, bslWritable: false }), [
    'backup storage location "ro" is read-only; backups cannot be created in it',
  ]);
});

test('selectors: both kinds set, bad syntax, bad operators', (t) => {
  const both = validateBackup({ labelSelector: { matchLabels: { a: 'b' } }, orLabelSelectors: [{ matchLabels: { c: 'd' } }] }, ok);
  t.deepEqual(both, ['labelSelector and orLabelSelectors cannot both be set']);
  const bad = validateBackup({ labelSelector: { matchLabels: { 'bad key!': 'x', ok: 'spaces no' } } }, ok);
  t.is(bad.length, 2);
  t.regex(bad[0] ?? '', /invalid labelSelector: invalid label key "bad key!"/);
  t.regex(bad[1] ?? '', /invalid value "spaces no"/);
  const ops = validateBackup(
    {
      orLabelSelectors: [
        { matchExpressions: [{ key: 'a', operator: 'In' }] },
        { matchExpressions: [{ key: 'b', operator: 'Exists', values: ['x'] }] },
        { matchExpressions: [{ key: 'c', operator: 'Bogus' as 'In', values: ['x'] }] },
      ],
    },
    ok,
  );
  t.deepEqual(ops, [
    'invalid orLabelSelectors[0]: operator In on "a" needs at least one value',
    'invalid orLabelSelectors[1]: operator Exists on "b" takes no values',
    'invalid orLabelSelectors[2]: "Bogus" is not a valid operator (In, NotIn, Exists, DoesNotExist)',
  ]);
  t.deepEqual(validateBackup({ labelSelector: { matchLabels: { 'example.com/x': 'y' } } }, ok), []);
  t.regex(validateBackup({ labelSelector: { matchLabels: { 'Bad_Prefix/x': 'y' } } }, ok)[0] ?? '', /invalid prefix/);
});

test('namespace and resource lists: overlap, wildcard misuse, bad names and globs', (t) => {
  t.deepEqual(validateBackup({ includedNamespaces: ['app', 'db'], excludedNamespaces: ['db'] }, ok), [
    'invalid included/excluded namespace lists: excludes list cannot contain an item in the includes list: db',
  ]);
  t.deepEqual(validateBackup({ includedNamespaces: ['*', 'app'] }, ok), [
    "invalid included/excluded namespace lists: includes list must either contain '*' only, or a non-empty list of items",
  ]);
  t.deepEqual(validateBackup({ excludedResources: ['*'] }, ok), ["invalid included/excluded resource lists: excludes list cannot contain '*'"]);
  t.deepEqual(validateBackup({ includedResources: ['pods'], excludedResources: ['pods'] }, ok), [
    'invalid included/excluded resource lists: excludes list cannot contain an item in the includes list: pods',
  ]);
  t.deepEqual(validateBackup({ includedNamespaces: ['App_1', 'ok-[a-'] }, ok), [
    'invalid namespace name "App_1": must be a DNS-1123 label',
    'invalid namespace pattern "ok-[a-"',
  ]);
});

test('ttl: invalid and negative durations; several reasons are all reported', (t) => {
  t.deepEqual(validateBackup({ ttl: '3 days' }, ok), ['invalid ttl "3 days": expected a duration such as 720h0m0s, 24h or 90m']);
  t.deepEqual(validateBackup({ ttl: '-1h' }, ok), ['invalid ttl "-1h": must not be negative']);
  t.deepEqual(validateBackup({ ttl: '720h0m0s' }, ok), []);
  const many = validateBackup({ ttl: 'x', storageLocation: 'gone', includedNamespaces: ['a'], excludedNamespaces: ['a'] }, { bslExists: false, bslWritable: true });
  t.is(many.length, 3);
});

test('selector matching and query strings', (t) => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In' as const, values: ['front', 'back'] },
      { key: 'env', operator: 'NotIn' as const, values: ['dev'] },
      { key: 'team', operator: 'Exists' as const },
      { key: 'legacy', operator: 'DoesNotExist' as const },
    ],
  };
  t.true(selectorMatches(sel, { app: 'web', tier: 'front', team: 'x' }));
  t.false(selectorMatches(sel, { app: 'web', tier: 'front', team: 'x', env: 'dev' }));
  t.false(selectorMatches(sel, { app: 'web', tier: 'mid', team: 'x' }));
  t.false(selectorMatches(sel, { app: 'web', tier: 'front' }));
  t.false(selectorMatches(sel, { app: 'web', tier: 'front', team: 'x', legacy: '' }));
  t.false(selectorMatches(sel, undefined));
  t.true(selectorMatches({}, undefined), 'an empty selector matches everything');
  t.is(selectorQuery(sel), 'app=web,tier in (back,front),env notin (dev),team,!legacy');
  t.deepEqual(selectorProblems(sel, 's'), []);
});

test('namespace globs and long label values', (t) => {
  const f = new NamespaceFilter(['team-[a-c]*', 'db?', 'x.y'], ['team-b-old', '[!d]b1']);
  t.deepEqual(['team-a', 'team-c-web', 'team-d', 'team-b-old', 'db1', 'db12', 'xb1', 'x.y', 'xzy'].filter((n) => f.matches(n)), ['team-a', 'team-c-web', 'db1', 'x.y']);
  t.false(f.includesEverything());
  t.true(new NamespaceFilter(['*'], []).includesEverything());
  t.false(new NamespaceFilter(undefined, ['kube-*']).includesEverything());
  t.is(labelValue('short'), 'short');
  const long = labelValue('l'.repeat(100));
  t.is(long.length, 63);
  t.not(long, labelValue(`${'l'.repeat(99)}m`));
});
