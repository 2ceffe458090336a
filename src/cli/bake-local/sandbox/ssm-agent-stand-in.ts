import * as fs from 'fs';
import * as path from 'path';

/**
 * Image Builder installs the SSM agent on the build instance when the parent image lacks it
 * (it is how the service reaches the instance), and leaves it on the image when the recipe says
 * UninstallAfterBuild false. bake-local cannot install the real agent (it comes from AWS), so
 * when the root has none it adds an enabled unit of the same name that does nothing, so that steps
 * checking for the agent see what they would see on AWS; the report says so. The unit is removed
 * again at the end of the build unless the recipe keeps the agent.
 */
const UNIT = 'amazon-ssm-agent.service';
const UNIT_TEXT = `[Unit]
Description=Stand-in for the SSM agent Image Builder installs on build instances (bake-local; not the real agent)

[Service]
Type=oneshot
ExecStart=/bin/true
RemainAfterExit=yes

[Install]
WantedBy=multi-user.target
`;

const UNIT_FOLDERS = ['etc/systemd/system', 'lib/systemd/system', 'usr/lib/systemd/system'];

/** Adds the stand-in when the root has no SSM agent unit; returns whether it did. */
export function addSsmAgentStandIn(root: string): boolean {
  const present = UNIT_FOLDERS.some(folder => fs.existsSync(path.join(root, folder, UNIT)))
    || fs.existsSync(path.join(root, 'etc/systemd/system/snap.amazon-ssm-agent.amazon-ssm-agent.service'));
  if (present || !fs.existsSync(path.join(root, 'etc/systemd/system'))) {
    return false;
  }
  fs.writeFileSync(path.join(root, 'etc/systemd/system', UNIT), UNIT_TEXT, { mode: 0o644 });
  const wants = path.join(root, 'etc/systemd/system/multi-user.target.wants');
  fs.mkdirSync(wants, { recursive: true, mode: 0o755 });
  fs.rmSync(path.join(wants, UNIT), { force: true });
  fs.symlinkSync(`/etc/systemd/system/${UNIT}`, path.join(wants, UNIT));
  return true;
}

/** Removes the stand-in added by addSsmAgentStandIn. */
export function removeSsmAgentStandIn(root: string): void {
  fs.rmSync(path.join(root, 'etc/systemd/system/multi-user.target.wants', UNIT), { force: true });
  fs.rmSync(path.join(root, 'etc/systemd/system', UNIT), { force: true });
}
