import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct } from 'constructs';
import { OsFamily, defaultWorkingDirectory } from '../common/os-family';
import { contentHash } from '../private/hash';
import { imageBuilderName } from '../private/names';
import { ImageComponent } from '../provisioning/image-component';
import { Provisioner } from '../provisioning/provisioner';

/*
 * The SSM agent is how Image Builder drives a build and how Session Manager reaches the fleets
 * ImmutableDeployment runs (they have no key pair and no SSH port). What Image Builder does with
 * it, from its API reference (AdditionalInstanceConfiguration and SystemsManagerAgent,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AdditionalInstanceConfiguration.html,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SystemsManagerAgent.html):
 * - the setting "applies to Linux and macOS build instances only. Requests that set it for a
 *   recipe with a Windows base image are rejected" (both pages, and CloudFormation's
 *   AWS::ImageBuilder::ImageRecipe SystemsManagerAgent): Windows recipes carry none;
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

/**
 * The recipe setting that keeps (or removes) an agent Image Builder installed; none on Windows,
 * where Image Builder rejects it.
 */
export function ssmAgentInstanceConfiguration(keep: boolean, osFamily: OsFamily):
imagebuilder.CfnImageRecipe.AdditionalInstanceConfigurationProperty {
  return osFamily === OsFamily.WINDOWS ? {} : { systemsManagerAgent: { uninstallAfterBuild: !keep } };
}

/** The check's commands are inline: it has no assets for any image's role to read. */
const NO_ASSETS: iam.IGrantable = {
  get grantPrincipal(): iam.IPrincipal {
    throw new Error('the SSM agent check is shared by the images of a stack and cannot read assets of one of them');
  },
};

/** The check as a recipe takes it: the component's ARN, and what the recipe's version hashes. */
export interface SsmAgentCheckComponent {
  readonly arn: string;
  readonly identity: string;
  readonly documentText: string;
}

/**
 * The stack's one component holding the agent check for an OS family, made by the first image
 * that verifies the agent and used by every other. The document is the same for every image, so
 * one component per stack serves them all: an image then costs the stack one resource fewer.
 *
 * Its identity names the component as well as its document: a recipe's Components are replaced
 * whole, and a recipe replaced under the same version would clash with its old self ("already
 * exists"), so a recipe that moves to another component must get a new version.
 */
export function ssmAgentCheckComponent(image: Construct, osFamily: OsFamily): SsmAgentCheckComponent {
  const stack = Stack.of(image);
  const id = `CdkImmutableInfraSsmAgentCheck${osFamily === OsFamily.WINDOWS ? 'Windows' : 'Linux'}`;
  let component = stack.node.tryFindChild(id) as ImageComponent | undefined;
  if (!component) {
    const bound = ssmAgentCheck(osFamily)._bind({
      scope: stack,
      phase: 'validate',
      osFamily,
      prop: 'verifySsmAgent',
      defaultName: SSM_AGENT_CHECK_NAME,
      // The stack's images may each set their own; the check's inline commands use none.
      workingDirectory: defaultWorkingDirectory(osFamily),
      scriptDirectory: defaultWorkingDirectory(osFamily),
      assetReader: NO_ASSETS,
    });
    component = new ImageComponent(stack, id, {
      provisioner: bound,
      componentName: imageBuilderName(stack, `${SSM_AGENT_CHECK_NAME}-${osFamily.toLowerCase()}`).toLowerCase(),
      prop: 'verifySsmAgent',
      owner: image,
    });
  }
  return {
    arn: component.componentArn,
    identity: contentHash('shared-component', component.node.path, component.identity),
    documentText: component.documentText,
  };
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
