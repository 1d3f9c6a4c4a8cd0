/**
 * The nodes of one directory while its entries are stored: each entry's slot is filled when its
 * node is known (at once for most entries, later for stored files and subdirectories), and
 * `done` resolves with the nodes in entry order, without the empty slots (excluded, skipped or
 * unreadable entries), once the walk has closed the directory and every entry is in. The first
 * failure rejects `done`.
 *
 * One counter per directory instead of a promise per entry: small files by the million made the
 * per-entry promises (and the async functions behind them) most of the main thread's garbage.
 */
import type { Node } from '../tree/index.ts';

export class DirEntries {
  readonly done: Promise<Node[]>;
  readonly #nodes: (Node | undefined)[];
  /** entries still to come in, plus one for the walk until it closes the directory */
  #open = 1;
  #failed = false;
  #resolve!: (nodes: Node[]) => void;
  #reject!: (err: unknown) => void;

  constructor(entries: number) {
    this.#nodes = new Array<Node | undefined>(entries);
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => undefined); // awaited by the caller; avoid an unhandled rejection meanwhile
  }

  /** Entry `i`'s node, known now (undefined: the entry is left out). */
  set(i: number, node: Node | undefined): void {
    this.#nodes[i] = node;
  }

  /** Entry `i` comes in later, through `fill` or `fail`. */
  hold(): void {
    this.#open++;
  }

  /** Entry `i`'s node, after `hold`. */
  fill(i: number, node: Node | undefined): void {
    this.#nodes[i] = node;
    this.#release();
  }

  /** Entry `i`'s node is what `p` resolves to. */
  track(i: number, p: Promise<Node | undefined>): void {
    this.hold();
    p.then(
      (node) => this.fill(i, node),
      (err: unknown) => this.fail(err),
    );
  }

  fail(err: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#reject(err);
  }

  /** The walk has visited every entry. */
  close(): void {
    this.#release();
  }

  #release(): void {
    if (--this.#open > 0 || this.#failed) return;
    const nodes: Node[] = [];
    for (const n of this.#nodes) if (n !== undefined) nodes.push(n);
    this.#resolve(nodes);
  }
}
