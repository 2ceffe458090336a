import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { OsFamily } from '../common/os-family';
import { Provisioner } from '../provisioning/provisioner';

/*
 * The SSM agent is how Image Builder drives a build and how Session Manager reaches the fleets
 * ImmutableDeployment runs (they have no key pair and no SSH port). What Image Builder does with
 * it, from its API reference (AdditionalInstanceConfiguration and SystemsManagerAgent,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AdditionalInstanceConfiguration.html,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SystemsManagerAgent.html):
 * - on a Linux parent without the agent (Debian's official AMI, RHEL, the AL2023 minimal AMI),
 *   Image Builder installs it on the build and test instances through its default user data;
 * - unless the recipe says `UninstallAfterBuild: false`, it removes an agent it installed before
 *   the AMI is created ("The default behavior of uninstallAfterBuild is to remove the SSM Agent
 *   if it was installed by EC2 Image Builder"), so instances launched from the AMI cannot be
 *   reached;
 * - a `userDataOverride` replaces the commands that install it. The library sets no override, so
 *   Image Builder's own user data always runs (an override would have to install the agent itself
 *   and create /tmp/perform_cleanup to keep Image Builder's clean-up script).
 * Windows parents are never given an agent by Image Builder; AWS's Windows AMIs ship one.
 */

/** The name of the validate step that checks the agent; also its component's name suffix. */
export const SSM_AGENT_CHECK_NAME = 'ssm-agent-enabled';

/** The recipe setting that keeps (or removes) an agent Image Builder installed. */
export function ssmAgentInstanceConfiguration(keep: boolean): imagebuilder.CfnImageRecipe.AdditionalInstanceConfigurationProperty {
  return { systemsManagerAgent: { uninstallAfterBuild: !keep } };
}

/**
 * A validate step that fails the bake unless the agent starts at boot. It runs after every build
 * step, so a provisioner that disables or removes the agent fails the build instead of producing
 * an AMI whose instances Session Manager cannot reach.
 */
export function ssmAgentCheck(osFamily: OsFamily): Provisioner {
  if (osFamily === OsFamily.WINDOWS) {
    return Provisioner.powerShell({
      name: SSM_AGENT_CHECK_NAME,
      commands: [
        '$agent = Get-Service -Name AmazonSSMAgent -ErrorAction SilentlyContinue',
        'if (-not $agent) { throw \'The SSM agent (service AmazonSSMAgent) is not installed: instances of this image cannot be reached through Session Manager\' }',
        'if ($agent.StartType -ne \'Automatic\') { throw "The SSM agent is installed but starts $($agent.StartType), not Automatic: instances of this image cannot be reached through Session Manager" }',
        'Write-Output \'The SSM agent starts at boot\'',
      ],
    });
  }
  // Debian, RHEL and Amazon Linux install the agent as a systemd unit; Ubuntu as a snap.
  return Provisioner.shell({
    name: SSM_AGENT_CHECK_NAME,
    commands: [
      'for unit in amazon-ssm-agent snap.amazon-ssm-agent.amazon-ssm-agent; do',
      '  if systemctl is-enabled --quiet "$unit" 2>/dev/null; then echo "The SSM agent ($unit) starts at boot"; exit 0; fi',
      'done',
      'echo "The SSM agent (amazon-ssm-agent) is not installed or not enabled at boot: instances of this image cannot be reached through Session Manager" >&2',
      'exit 1',
    ],
  });
}
