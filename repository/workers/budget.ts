/**
 * A byte budget: `acquire(n)` waits until `n` more bytes fit under the limit, `release(n)` gives
 * them back. A request larger than the whole limit is let through once nothing else is held, so
 * it cannot wait forever. Waiters are served in order (no overtaking by small requests), which
 * keeps memory bounded by `limit` plus at most one oversize request.
 */
export class ByteBudget {
  readonly limit: number;
  #used = 0;
  readonly #waiters: { n: number; go: () => void }[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  acquire(n: number): Promise<void> {
    if (this.tryAcquire(n)) return Promise.resolve();
    return new Promise((go) => this.#waiters.push({ n, go }));
  }

  /** Takes `n` bytes at once if `acquire` would not wait; false (nothing taken) otherwise. */
  tryAcquire(n: number): boolean {
    if (this.#waiters.length > 0 || !this.#fits(n)) return false;
    this.#used += n;
    return true;
  }

  release(n: number): void {
    this.#used -= n;
    while (this.#waiters.length > 0 && this.#fits(this.#waiters[0]!.n)) {
      const w = this.#waiters.shift()!;
      this.#used += w.n;
      w.go();
    }
  }

  #fits(n: number): boolean {
    return this.#used === 0 || this.#used + n <= this.limit;
  }
}
