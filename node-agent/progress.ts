/**
 * Throttled progress for a running PodVolumeBackup/Restore: the latest numbers are written at
 * most every `intervalMs` (2 s by default), one write at a time, and only when they changed.
 * A failed write is logged and dropped: progress never fails the work.
 */
import type { PodVolumeProgress } from '../crds/index.ts';
import { errText, type Logger } from '../controller/runtime/index.ts';

export const PROGRESS_EVERY_MS = 2000;

export class ProgressReporter {
  private readonly write: (p: PodVolumeProgress) => Promise<unknown>;
  private readonly log: Logger;
  private readonly timer: NodeJS.Timeout;
  private latest: PodVolumeProgress = {};
  private written = '';
  private inFlight: Promise<void> | undefined;
  private failedOnce = false;

  constructor(opts: { write: (p: PodVolumeProgress) => Promise<unknown>; log: Logger; intervalMs?: number }) {
    this.write = opts.write;
    this.log = opts.log;
    this.timer = setInterval(() => this.flush(), opts.intervalMs ?? PROGRESS_EVERY_MS);
    this.timer.unref();
  }

  /** Records the numbers; `totalBytes` undefined keeps the last known total. */
  update(bytesDone: number, totalBytes?: number): void {
    const total = totalBytes ?? this.latest.totalBytes;
    this.latest = { bytesDone, ...(total === undefined ? {} : { totalBytes: Math.max(total, bytesDone) }) };
  }

  setTotal(totalBytes: number): void {
    this.update(this.latest.bytesDone ?? 0, totalBytes);
  }

  /** Stops writing and waits for a write in flight, so no stale progress lands after the final status. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  private flush(): void {
    const text = JSON.stringify(this.latest);
    if (this.inFlight !== undefined || text === this.written || this.latest.bytesDone === undefined) return;
    const p = this.latest;
    this.inFlight = this.write(p)
      .then(
        () => {
          this.written = text;
        },
        (err: unknown) => {
          if (!this.failedOnce) this.log.warn({ err: errText(err) }, 'cannot write progress (will keep trying)');
          this.failedOnce = true;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
  }
}
