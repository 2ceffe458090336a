import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Runs once before the suite (jest `globalSetup`), in the parent process, so the workers and
 * every process a test starts inherit what it sets.
 *
 * Apps made without an `outdir` synthesise into a new `cdk.out*` folder under the system's
 * temporary folder, and provisioning tests write credentials and scripts there; one run left
 * about 3,000 folders behind. The suite's temporary files go under one folder of its own
 * instead (TMPDIR, which `os.tmpdir()` and child processes read), removed by
 * test/global-teardown.ts. The bake-local root cache (built with debootstrap, minutes) stays in
 * the system's folder, so that runs share it.
 */
export default function globalSetup(): void {
  const system = os.tmpdir();
  process.env.BAKE_LOCAL_TEST_CACHE ??= path.join(system, 'cdk-immutable-infra-bake-local-test-cache');
  const root = fs.mkdtempSync(path.join(system, 'cdk-immutable-infra-test-'));
  // Other users may pass through it, as through the system's folder, to a folder a test opens
  // to them (bake-local's refusal test runs the command line as nobody), but not list it.
  fs.chmodSync(root, 0o711);
  process.env.CDK_IMMUTABLE_INFRA_TEST_TMPDIR = root;
  process.env.TMPDIR = root;
}
