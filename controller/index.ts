// `skiff server`'s public surface for cli/ and tests. Reconcilers import the sub-folders'
// index.ts files directly (runtime/, kube/, objectstore/, bsl/), never each other's internals.
export { runServer } from './server.ts';
export type { PodVolumeSettings, ReconcilerEntry, ReconcilerFactory, ServerDeps, ServerHandle, ServerOptions } from './server-types.ts';
export { defaultReconcilers } from './reconcilers.ts';
