import { createHash } from 'node:crypto';

/** `<schedule>-<YYYYMMDDhhmmss>` in UTC (Velero's `Schedule.TimestampedName`, layout 20060102150405). */
export function timestampedName(schedule: string, t: Date): string {
  const iso = t.toISOString(); // 2024-05-01T12:03:04.000Z
  return `${schedule}-${iso.slice(0, 19).replace(/[-:T]/g, '')}`;
}

const MAX_LABEL_VALUE = 63;

/**
 * A label value for an object name (Velero's `label.GetValidName`): names of up to 63 characters
 * are used as they are; longer ones are cut to 57 characters plus 6 hex digits of their SHA-256,
 * so lookups by label stay exact.
 */
export function labelValue(name: string): string {
  if (name.length <= MAX_LABEL_VALUE) return name;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, MAX_LABEL_VALUE - 6)}${digest}`;
}
