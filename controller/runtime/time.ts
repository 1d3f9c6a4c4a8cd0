import { SkiffError } from '../../repository/errors/errors.ts';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration (`720h0m0s`, `1m`, `1.5h`, `300ms`, `0`) into milliseconds, as
 * `time.ParseDuration` does (no days: Kubernetes and Velero write hours). Throws SkiffError Config.
 */
export function parseGoDuration(s: string): number {
  const text = s.trim();
  if (text === '0' || text === '+0' || text === '-0') return 0;
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (m === null) throw new SkiffError('Config', `invalid duration ${JSON.stringify(s)}: use Go's form, e.g. 720h, 90m, 1h30m`);
  let total = 0;
  for (const part of (m[2] ?? '').matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
  }
  return m[1] === '-' ? -total : total;
}

/** Milliseconds as a Go duration string like metav1.Duration prints it: `720h0m0s`, `1m30s`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  const sec = rest / 1000;
  const secText = `${Number.isInteger(sec) ? sec : Number(sec.toFixed(3))}s`;
  if (h > 0) return `${sign}${h}h${min}m${secText}`;
  if (min > 0) return `${sign}${min}m${secText}`;
  return `${sign}${secText}`;
}

/** A metav1.Time string (RFC 3339, whole seconds, `Z`), e.g. `2024-05-01T12:00:00Z`. */
export function formatTime(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
