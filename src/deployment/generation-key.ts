import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { IConstruct } from 'constructs';
import { DeploymentImageConfig } from '../common/deployment-image-interface';
import { invalidProp } from '../private/errors';
import { contentHash, shortHash } from '../private/hash';
import { stableIdentity } from '../private/stable-identity';

/**
 * What makes a generation: the inputs that decide what an instance is, and the settings of
 * its resources that CloudFormation can only change by replacement. Anything else
 * (capacity, scaling, alarms, traffic shift, bake and drain times, health check timings)
 * changes in place on the live generation or only steers the next release.
 */
export type GenerationInputs = {
  readonly image: DeploymentImageConfig;
  readonly instanceType: ec2.InstanceType;
  readonly userData: ec2.UserData;
  /** Identity of the instance role (ARN or construct path). */
  readonly role: string;
  /** Identities of the security groups (ids or construct paths). */
  readonly securityGroups: string[];
  readonly rootVolume: unknown;
  /** VPC and subnets: a target group cannot move VPC, and a group moving subnets relaunches instances. */
  readonly network: unknown;
  /** Other launch template settings (public IP, detailed monitoring, metadata hop limit). */
  readonly launch: unknown;
  /**
   * The target group's port and protocol (replacement-only) and health check path: a new
   * path is proven on fresh instances before traffic moves, instead of failing the live fleet.
   */
  readonly targetGroup: unknown;
  /** The user's generation key, mixed in; it stands in for inputs only known at deploy time. */
  readonly generationKey?: string;
};

/** Characters of the hash that go into logical ids: enough that two generations never meet. */
export const GENERATION_KEY_LENGTH = 8;

/**
 * The generation key. Fails synth when an input is only known at deploy time and no
 * generationKey stands in for it.
 */
export function computeGenerationKey(scope: IConstruct, inputs: GenerationInputs): string {
  const key = inputs.generationKey;
  if (key !== undefined && (Token.isUnresolved(key) || key.length === 0)) {
    invalidProp(scope, 'generationKey', key, 'the generation key is part of logical ids and must be known at synth time',
      'Give a non-empty literal string, such as a version or a date, and change it whenever a deploy-time input changes');
  }
  if (inputs.image.identity === undefined && key === undefined) {
    invalidProp(scope, 'image', `${inputs.image.description} with AMI id ${Token.isUnresolved(inputs.image.imageId) ? 'a token' : inputs.image.imageId}`,
      'its AMI id is only known at deploy time (CloudFormation resolves it, for example from an SSM parameter), so it cannot key a generation at synth time',
      'Resolve the AMI at synth time with DeploymentImage.fromSsmParameterLookup() (or ec2.MachineImage.fromSsmParameter(name, { cachedInContext: true })), '
      + 'or set generationKey (on the deployment or in DeploymentImage.fromMachineImage()) and change it whenever the AMI changes');
  }
  const userData = userDataIdentity(inputs.userData, scope);
  if (userData === undefined && key === undefined) {
    invalidProp(scope, 'userData', '(user data with deploy-time values)',
      'it refers to values only known at deploy time (a resource attribute, a parameter or an import), so it cannot key a generation at synth time',
      'Use literal values (or CDK assets) in the user data, or set generationKey and change it whenever those values change');
  }
  const hash = contentHash('generation', {
    image: inputs.image.identity,
    instanceType: inputs.instanceType.toString(),
    userData,
    role: inputs.role,
    securityGroups: inputs.securityGroups,
    rootVolume: inputs.rootVolume,
    network: inputs.network,
    launch: inputs.launch,
    targetGroup: inputs.targetGroup,
    generationKey: key,
  });
  return shortHash(hash, GENERATION_KEY_LENGTH);
}

function userDataIdentity(userData: ec2.UserData, scope: IConstruct): string | undefined {
  return stableIdentity(scope, userData.render());
}
