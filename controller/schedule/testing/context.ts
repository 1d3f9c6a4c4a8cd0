import { SkiffError } from '../../../repository/errors/errors.ts';
import { type Clock, type Logger, type ObjectStore, type ReconcileContext, type SkiffClient, silentLogger } from '../../runtime/index.ts';

export interface TestContextOptions {
  readonly client: SkiffClient;
  readonly clock: Clock;
  /** object stores by BSL name (a missing name is NotFound), or a function such as ObjectStoreCache.get */
  readonly stores?: Record<string, ObjectStore> | ((bsl: string) => Promise<ObjectStore>);
  /** default silent; the runtime's `memoryLogger()` for assertions */
  readonly log?: Logger;
}

/** A ReconcileContext for calling a reconciler directly, as the controller manager would. */
export function testContext(opts: TestContextOptions): ReconcileContext {
  const stores = opts.stores ?? {};
  return {
    client: opts.client,
    clock: opts.clock,
    log: opts.log ?? silentLogger(),
    signal: new AbortController().signal,
    async objectStore(bsl: string): Promise<ObjectStore> {
      if (typeof stores === 'function') return stores(bsl);
      const s = stores[bsl];
      if (s === undefined) throw new SkiffError('NotFound', `backup storage location "${bsl}" not found`);
      return s;
    },
  };
}
