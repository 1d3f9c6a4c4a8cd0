import { ManualClock } from '../../runtime/index.ts';

/** The runtime's ManualClock, plus `set` to jump to an instant (forward only, firing due timers). */
export class FakeClock extends ManualClock {
  constructor(start: Date | string) {
    super(new Date(start));
  }
  set(t: Date | string): void {
    const ms = new Date(t).getTime() - this.now().getTime();
    if (ms < 0) throw new Error('FakeClock only moves forward');
    this.advance(ms);
  }
}
