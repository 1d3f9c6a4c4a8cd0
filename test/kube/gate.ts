import test from 'ava';
import { kubeAvailable } from './availability.ts';

/**
 * Decides whether a test file's control-plane tests run. When the control plane is unavailable
 * outside CI, registers one loudly titled skipped test, warns, and returns false. In CI
 * (CI=true) it always returns true, so the tests run and fail with the harness's own error.
 */
export function kubeTestsEnabled(suite: string): boolean {
  const avail = kubeAvailable();
  if (avail.ok || process.env['CI'] === 'true') return true;
  const title = `SKIPPED ${suite}: no Kubernetes control plane: ${avail.why}`;
  console.warn(`[skiff] ${title}`);
  test.skip(title, () => {});
  return false;
}
