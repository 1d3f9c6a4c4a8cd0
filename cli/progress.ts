/** A one-line progress display on a terminal; silent when stderr is not a TTY or in JSON mode. */
import { bytes } from './output.ts';

export interface Progress {
  /** false when nothing is shown: callers need not compute what to report */
  readonly enabled: boolean;
  /** the text, or a function giving it (called only when the line is redrawn, at most every 100 ms) */
  update(text: string | (() => string)): void;
  done(): void;
}

export function makeProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { enabled: false, update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    enabled: true,
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const line = typeof text === 'string' ? text : text();
      stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 80) - 1)}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}

export function rate(done: number, startedMs: number): string {
  const s = (Date.now() - startedMs) / 1000;
  return s > 0 ? `${bytes(done / s)}/s` : '';
}
