// The real-Kubernetes test harness. `gate.ts` (which imports ava) is left out on purpose so
// scripts can start a control plane too; test files import `test/kube/gate.ts` directly.
export { ensureKubeAssets } from './assets.ts';
export { kubeAvailable } from './availability.ts';
export type { Availability } from './availability.ts';
export { startControlPlane } from './control-plane.ts';
export type { ControlPlane, ControlPlaneOptions } from './control-plane.ts';
export { installCrds, isEstablished, toModel } from './install-crds.ts';
export { kubectl, kubectlPath } from './kubectl.ts';
export type { KubectlResult } from './kubectl.ts';
export { bindPod, createNode, createPodVolumeDirs, markPodRunning } from './node-simulator.ts';
export type { NodeOptions, PodVolumeDirOptions, RunningOptions } from './node-simulator.ts';
export { httpsGet, pollUntil } from './wait.ts';
export type { PollOptions } from './wait.ts';
