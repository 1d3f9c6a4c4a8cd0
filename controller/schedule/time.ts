/** The instant of an RFC 3339 string, or undefined for a missing or unreadable one. */
export function parseTimestamp(s: string | null | undefined): Date | undefined {
  if (s === undefined || s === null || s === '') return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** `d` cut down to a whole second. */
export function wholeSecond(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/** The later of two optional instants. */
export function later(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
