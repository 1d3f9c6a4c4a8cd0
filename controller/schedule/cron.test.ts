import test from 'ava';
import { parseSchedule, type RunTimes } from './cron.ts';
import { labelValue, timestampedName } from './names.ts';

function runs(expr: string): RunTimes {
  const p = parseSchedule(expr);
  if (!p.ok) throw new Error(p.error);
  return p.runs;
}
const at = (s: string) => new Date(s);
const iso = (d: Date | undefined) => d?.toISOString();

test('five-field cron: next run strictly after, in UTC', (t) => {
  const r = runs('*/15 2 * * *');
  t.is(iso(r.next(at('2024-05-01T01:59:59Z'))), '2024-05-01T02:00:00.000Z');
  t.is(iso(r.next(at('2024-05-01T02:00:00Z'))), '2024-05-01T02:15:00.000Z');
  t.is(iso(r.next(at('2024-05-01T02:45:00Z'))), '2024-05-02T02:00:00.000Z');
});

test('latestDue: the last run in (after, now], missed runs collapse into one', (t) => {
  const r = runs('0 * * * *');
  t.is(r.latestDue(at('2024-05-01T10:00:00Z'), at('2024-05-01T10:59:59Z')), undefined);
  t.is(iso(r.latestDue(at('2024-05-01T10:00:00Z'), at('2024-05-01T11:00:00Z'))), '2024-05-01T11:00:00.000Z');
  t.is(iso(r.latestDue(at('2024-05-01T10:00:00Z'), at('2024-05-01T13:30:00Z'))), '2024-05-01T13:00:00.000Z');
});

test('descriptors as robfig knows them', (t) => {
  t.is(iso(runs('@daily').next(at('2024-05-01T10:00:00Z'))), '2024-05-02T00:00:00.000Z');
  t.is(iso(runs('@midnight').next(at('2024-05-01T10:00:00Z'))), '2024-05-02T00:00:00.000Z');
  t.is(iso(runs('@hourly').next(at('2024-05-01T10:00:00Z'))), '2024-05-01T11:00:00.000Z');
  t.is(iso(runs('@weekly').next(at('2024-05-01T10:00:00Z'))), '2024-05-05T00:00:00.000Z'); // a Sunday
});

test('@every: fixed delay from the last run, rounded down to the second', (t) => {
  const r = runs('@every 1h30m');
  t.is(iso(r.next(at('2024-05-01T10:00:00.700Z'))), '2024-05-01T11:30:00.000Z');
  t.is(r.latestDue(at('2024-05-01T10:00:00Z'), at('2024-05-01T11:29:59Z')), undefined);
  t.is(iso(r.latestDue(at('2024-05-01T10:00:00Z'), at('2024-05-01T14:00:00Z'))), '2024-05-01T13:00:00.000Z');
  t.is(iso(runs('@every 300ms').next(at('2024-05-01T10:00:00Z'))), '2024-05-01T10:00:01.000Z');
});

test('invalid schedules give one clear message', (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['* * * * * *', /expected 5 fields.*got 6/],
    ['0 0 * *', /expected 5 fields.*got 4/],
    ['61 * * * *', /invalid schedule "61 \* \* \* \*": .*0-59/],
    ['@every', /invalid schedule "@every"/],
    ['@every 5', /invalid duration "5"/],
    ['@every -1h', /positive/],
    ['@fortnightly', /invalid schedule/],
  ];
  for (const [expr, re] of cases) {
    const p = parseSchedule(expr);
    t.false(p.ok, expr);
    if (!p.ok) t.regex(p.error, re, expr);
  }
});

test('backup names: <schedule>-<YYYYMMDDhhmmss> in UTC', (t) => {
  t.is(timestampedName('daily', at('2024-01-02T03:04:05.999Z')), 'daily-20240102030405');
});

test('label values: short names as they are, long ones cut with a digest', (t) => {
  t.is(labelValue('daily'), 'daily');
  const long = 'x'.repeat(80);
  const v = labelValue(long);
  t.is(v.length, 63);
  t.true(v.startsWith('x'.repeat(57)));
  t.not(v, labelValue(`${'x'.repeat(79)}y`));
});
