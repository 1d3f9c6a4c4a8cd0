/** A one-line progress display on a terminal; silent when stderr is not a TTY or in JSON mode. */
import { bytes } from './output.ts';

export interface Progress {
  update(text: string): void;
  done(): void;
}

export function makeProgress(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled || !stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[K${text.slice(0, (stream.columns || 80) - 1)}`);
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
