/** Output helpers: human sizes, tables, JSON; all writes go through an injectable sink. */
export interface Out {
  readonly json: boolean;
  line(s?: string): void;
  err(s: string): void;
  /** machine output: one JSON document */
  data(v: unknown): void;
}

export function makeOut(opts: { json: boolean; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream }): Out {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  return {
    json: opts.json,
    line: (s = '') => void stdout.write(s + '\n'),
    err: (s) => void stderr.write(s + '\n'),
    data: (v) => void stdout.write(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) + '\n'),
  };
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
