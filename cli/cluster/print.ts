/** Printing Skiff objects: tables, JSON (kubectl's indentation) and YAML; times as Velero prints them. */
import { stringify } from 'yaml';
import { table, type Out } from '../output.ts';
import type { OutputFormat } from './flags.ts';

/** One object as JSON or YAML. */
export function formatObject(obj: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? JSON.stringify(obj, null, 2) : stringify(obj).trimEnd();
}

/** Several objects as one multi-document YAML stream, or as a JSON `v1/List`. */
export function formatMany(objs: readonly unknown[], format: 'json' | 'yaml'): string {
  if (format === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }, null, 2);
  return objs.map((o) => `---\n${stringify(o).trimEnd()}`).join('\n');
}

/**
 * Prints objects: a table with `header` and `row`, or JSON/YAML. With `single` (a get of one
 * name) the object itself is printed, otherwise a list.
 */
export function printObjects<T>(
  out: Out,
  format: OutputFormat,
  items: readonly T[],
  view: { header: readonly string[]; row: (item: T) => readonly string[]; single?: boolean },
): void {
  if (format !== 'table') {
    out.line(view.single === true && items.length === 1 ? formatObject(items[0], format) : formatMany(items, format));
    return;
  }
  if (items.length === 0) {
    out.err('No resources found.');
    return;
  }
  out.line(table([view.header, ...items.map(view.row)]));
}

/** `2024-05-01 12:00:00 +0000 UTC`, or `<nil>` as Velero prints a missing time. */
export function formatTime(ts: string | null | undefined): string {
  if (ts === null || ts === undefined || ts === '') return '<nil>';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** Whole units, largest first: 29d, 5h, 12m, 30s. */
export function humanDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s >= 86400) return `${Math.floor(s / 86400)}d`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

/** Time until `ts` (EXPIRES column); `expired` when past, `<none>` when unset. */
export function until(ts: string | null | undefined, now: Date = new Date()): string {
  if (ts === null || ts === undefined || ts === '') return '<none>';
  const ms = new Date(ts).getTime() - now.getTime();
  return ms <= 0 ? 'expired' : humanDuration(ms);
}

/** Time since `ts` (AGE column). */
export function age(ts: string | null | undefined, now: Date = new Date()): string {
  if (ts === null || ts === undefined || ts === '') return '<unknown>';
  return humanDuration(now.getTime() - new Date(ts).getTime());
}

export function list(v: readonly string[] | null | undefined, empty = '<none>'): string {
  return v === null || v === undefined || v.length === 0 ? empty : v.join(', ');
}

export function mapText(m: Record<string, string> | null | undefined): string {
  const entries = Object.entries(m ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}
