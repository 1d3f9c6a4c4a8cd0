/**
 * A Schedule's `spec.schedule`, read as Velero reads it (robfig `cron.ParseStandard`): five fields
 * (minute hour day-of-month month day-of-week), the descriptors `@yearly @annually @monthly @weekly
 * @daily @midnight @hourly`, or `@every <Go duration>`. Times are UTC.
 */
import { CronExpressionParser } from 'cron-parser';
import { parseGoDuration } from '../runtime/index.ts';

/** When runs fall, as a pure function of time. */
export interface RunTimes {
  /** the first run strictly after `t` */
  next(t: Date): Date;
  /** the latest run in `(after, now]`, or undefined when none is due */
  latestDue(after: Date, now: Date): Date | undefined;
}

export type ParsedSchedule = { readonly ok: true; readonly runs: RunTimes } | { readonly ok: false; readonly error: string };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export function parseSchedule(input: string): ParsedSchedule {
  const expr = input.trim();
  if (expr === '') return { ok: false, error: 'invalid schedule: empty' };
  if (expr.startsWith('@every ') || expr === '@every') return parseEvery(expr);
  const cron = DESCRIPTORS[expr] ?? expr;
  const fields = cron.split(/\s+/);
  if (fields.length !== 5) {
    return { ok: false, error: `invalid schedule "${expr}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` };
  }
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' });
  } catch (err) {
    return { ok: false, error: `invalid schedule "${expr}": ${(err as Error).message}` };
  }
  return { ok: true, runs: cronRuns(cron) };
}

function cronRuns(cron: string): RunTimes {
  const at = (t: Date) => CronExpressionParser.parse(cron, { currentDate: t, tz: 'UTC' });
  return {
    next: (t) => at(t).next().toDate(),
    latestDue(after, now) {
      // prev() is strictly before its date; cron runs fall on whole minutes, so +1 ms includes `now`
      const prev = at(new Date(now.getTime() + 1)).prev().toDate();
      return prev.getTime() > after.getTime() ? prev : undefined;
    },
  };
}

/** robfig's ConstantDelaySchedule: the delay rounds down to whole seconds (at least 1 s). */
function parseEvery(expr: string): ParsedSchedule {
  const arg = expr.slice('@every'.length).trim();
  let ms: number;
  try {
    ms = parseGoDuration(arg);
  } catch (err) {
    return { ok: false, error: `invalid schedule "${expr}": ${(err as Error).message}` };
  }
  if (!(ms > 0)) return { ok: false, error: `invalid schedule "${expr}": the interval must be positive` };
  const step = Math.max(1000, Math.floor(ms / 1000) * 1000);
  const next = (t: Date) => new Date(Math.floor(t.getTime() / 1000) * 1000 + step);
  return {
    ok: true,
    runs: {
      next,
      latestDue(after, now) {
        const first = next(after).getTime();
        if (first > now.getTime()) return undefined;
        return new Date(first + Math.floor((now.getTime() - first) / step) * step);
      },
    },
  };
}
