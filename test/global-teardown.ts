import * as fs from 'fs';

/** Runs once after the suite (jest `globalTeardown`): removes the folder test/global-setup.ts made. */
export default function globalTeardown(): void {
  const root = process.env.CDK_IMMUTABLE_INFRA_TEST_TMPDIR;
  if (root) {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
