import { Annotations, IResolvable, IResolveContext, Stack, Stage, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ImageBuildParts } from './image-build-parts';
import { ImageIdPublication } from './image-distribution';
import { IGoldenImage } from '../common/golden-image-interface';
import { invalidPropMessage } from '../private/errors';

/*
 * How a golden image reaches stacks of other deployments (other stacks, regions, accounts).
 *
 * Inside the image's own stack (or a nested stack of it) the AMI id is a direct
 * `Fn::GetAtt` of the image resource, as it always was. Anywhere else, a value that changes
 * with every bake must never travel as a strong cross-stack reference: CloudFormation refuses
 * to change an export that another stack imports, so the first rebake after the first deploy
 * would lock the two stacks together.
 *
 * Chosen: every build's distribution writes the AMI id to an SSM parameter named after the
 * image's content key, `/imagebuilder/cdk-immutable-infra/<image name>/<image key>`, in each
 * region (and account) a consumer runs in, and the consumer reads version 1 of it with a
 * CloudFormation dynamic reference, `{{resolve:ssm:<name>:1}}`.
 *  - Image Builder's distribution creates or updates the parameter "in the target Region or
 *    account" (AmiAccountId must be one of the Region's target accounts), so a region or
 *    account the AMI is copied to gets its own copy's id:
 *    https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SsmParameterConfiguration.html
 *  - Names under `/imagebuilder/` are the ones Image Builder writes with its own permissions,
 *    the rule execution-role.ts already applies to users' parameters, so no execution role is
 *    created for them; where the image has one, it is granted the parameters explicitly. The
 *    managed policies' pages we could read do not show their SSM statements; AWS's own
 *    aws-imagebuilder-alpha gives execution roles `ssm:PutParameter` on
 *    `parameter/imagebuilder/*` in every region. Were it wrong, the image's build would fail
 *    at distribution, loudly, never a consumer.
 *  - The key is the image's synth-time content hash, which also keys the consumer's
 *    generation: a rebake names a new parameter, so the consumer's template changes and rolls
 *    out a new generation, while the old generation's launch template still names the old one.
 *  - Version 1 pins the first AMI of that content. A later pipeline run of the same recipe
 *    writes version 2, 3 ... and never moves a launch template: CloudFormation resolves a
 *    dynamic reference without a version to the latest value whenever it updates the
 *    resource, so an in-place update of a live generation would silently switch AMIs.
 *    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-ssm.html
 *    Parameter Store keeps 100 versions of a parameter and then drops the oldest:
 *    https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html
 *  - CloudFormation resolves dynamic references while it creates a change set (the processed
 *    template shows the version used), so a consumer deployed before its image is refused with
 *    a validation error naming the image's parameter, before anything changes. The consumer's
 *    stack depends on the image's, so `cdk deploy` orders them.
 *
 * Rejected:
 *  - Strong references: `Fn::ImportValue`, and `crossRegionReferences`' SSM-backed
 *    ExportWriter/ExportReader custom resources, whose writer refuses to change a value a
 *    reader still imports, just the same (and adds Lambda functions to both stacks).
 *  - A CloudFormation parameter of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>`:
 *    CloudFormation fetches its latest value on every stack update, and every launch template
 *    that refers to it, the live generation's included, would switch to a new AMI in place.
 *    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html
 *  - EC2's own `resolve:ssm:` image ids in launch templates: resolved at each instance launch.
 *    https://docs.aws.amazon.com/autoscaling/ec2/userguide/using-systems-manager-parameters.html
 *  - `Fn::GetStackOutput` (weak references): the intrinsic exists in CloudFormation
 *    (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html),
 *    `Fn.getStackOutput` from aws-cdk-lib 2.253.0, weak cross-stack references from 2.254.0
 *    and `ReferenceStrength` from 2.258.0, all above our 2.223.0 minimum. It reads the
 *    producing stack's output, which holds the build region's AMI only (a copy's id in another
 *    region is no attribute of the image resource), and it is resolved again at every update.
 */

/** Where published AMI ids live (see above for the `/imagebuilder/` prefix). */
const PUBLICATION_ROOT = '/imagebuilder/cdk-immutable-infra';

/** The parameter version a consumer reads: the first AMI of the content. */
const PINNED_VERSION = 1;

/** What publishing needs of a GoldenImage (structural, so this module does not import it). */
export interface PublishingImage extends IGoldenImage {
  readonly imageName: string;
  readonly _buildParts: ImageBuildParts;
}

/** True for the library's own golden images, which can publish their AMI id. */
export function isPublishingImage(image: IGoldenImage): image is PublishingImage {
  return (image as Partial<PublishingImage>)._buildParts instanceof ImageBuildParts;
}

/**
 * True when both constructs deploy as one CloudFormation stack (nested stacks included), so
 * values pass between them as plain references and parameters that may change.
 */
export function inSameDeployment(a: IConstruct, b: IConstruct): boolean {
  return deploymentOf(a) === deploymentOf(b);
}

/** The SSM parameter that holds the AMI id of the image's current content. */
export function publishedParameterName(image: PublishingImage): string {
  return `${PUBLICATION_ROOT}/${image.imageName}/${image.imageKey}`;
}

/**
 * The AMI id of the image for a consumer in another deployment: a pinned dynamic reference to
 * the parameter the image's distribution writes where the consumer runs. Registers the
 * publication with the image, makes the consumer's stack depend on the image's and checks,
 * once the app is complete, that the AMI reaches the consumer's region and account.
 */
export function publishedImageId(image: PublishingImage, consumer: IConstruct, prop: string = 'image'): string {
  const producer = Stack.of(image);
  const consumerStack = Stack.of(consumer);
  const publication: ImageIdPublication = {
    parameterName: publishedParameterName(image),
    // A known consumer region is kept even when the image's is not: the distribution may copy there.
    region: !Token.isUnresolved(consumerStack.region) && consumerStack.region !== producer.region ? consumerStack.region : undefined,
    account: differs(consumerStack.account, producer.account) ? consumerStack.account : undefined,
  };
  image._buildParts.publishImageId(publication);
  // Stacks of different stages deploy from different assemblies; their order is the pipeline's.
  if (Stage.of(consumerStack) === Stage.of(producer)) {
    deploymentOf(consumerStack).node.addDependency(deploymentOf(producer));
  }
  if (image._buildParts.destroysReplacedAmis) {
    // In one stack, the old AMI goes in the cleanup after the new generation is live.
    Annotations.of(consumer).addWarningV2('cdk-immutable-infra:replacedAmiDestroyed',
      `${image.node.path} has amiRemovalPolicy DESTROY: deploying its stack deletes the AMI of the bake it replaces, which ${consumer.node.path} `
      + 'keeps launching until its own stack is deployed. Keep RETAIN for images other stacks run, and retire old AMIs with keepImages');
  }
  consumer.node.addValidation({
    validate: () => {
      const problem = image._buildParts.distribution?.publicationProblem(publication);
      return problem === undefined ? [] : [invalidPropMessage(consumer, prop, image.node.path, problem, fixFor(publication))];
    },
  });
  return `{{resolve:ssm:${publication.parameterName}:${PINNED_VERSION}}}`;
}

/**
 * What a recipe in `scope` names as its parent (cascading images): in another deployment, the
 * published AMI id of a parent that bakes at deploy; otherwise the parent's image ARN, which
 * for a pipeline-only parent is its recipe's `x.x.x` ARN and does not change with a bake.
 */
export function parentImageIn(image: IGoldenImage, scope: IConstruct): string {
  if (inSameDeployment(scope, image) || !isPublishingImage(image) || !image._buildParts.buildsOnDeploy) {
    return image.parentImageArn;
  }
  return publishedImageId(image, scope, 'parentImage');
}

/**
 * The per-bake attributes of one construct (an AMI id, an image ARN): each resolves as before
 * in the construct's own deployment, and fails synth with `fix` where another deployment
 * would import it. The construct holds its own, so an attribute read twice is one token.
 */
export class SameDeploymentAttributes {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly owner: IConstruct, private readonly fix: string) {}

  /** The guarded token of `attribute`, whose value in the owner's deployment is `value`. */
  public guard(attribute: string, value: string): string {
    let token = this.tokens.get(attribute);
    if (token === undefined) {
      token = Token.asString(new SameDeploymentValue(this.owner, attribute, value, this.fix));
      this.tokens.set(attribute, token);
    }
    return token;
  }
}

class SameDeploymentValue implements IResolvable {
  public readonly creationStack: string[] = [];

  constructor(private readonly owner: IConstruct, private readonly attribute: string, private readonly value: string, private readonly fix: string) {}

  public resolve(context: IResolveContext): string {
    const consumer = context.scope;
    if (hasStack(consumer) && !inSameDeployment(consumer, this.owner)) {
      throw new Error(invalidPropMessage(this.owner, this.attribute, `used in ${Stack.of(consumer).node.path}`,
        'it changes with every bake, and a reference from another stack would be an export that CloudFormation refuses to change while it is imported, '
        + 'so the next rebake would fail', this.fix));
    }
    return this.value;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

function fixFor(publication: ImageIdPublication): string {
  if (publication.account !== undefined) {
    return `Add '${publication.account}' to copyToAccounts of the image's distribution entry for ${publication.region ?? 'its build region'} `
      + '(in a pipeline\'s distribution; the account needs the EC2ImageBuilderDistributionCrossAccountRole role)';
  }
  return `Distribute the image to ${publication.region}: add { region: '${publication.region}' } to the distribution of one of its pipelines, `
    + `e.g. image.addPipeline('Distribute', { schedule: PipelineSchedule.manual(), distribution: [{ region: '${publication.region}' }] })`;
}

/** True when both values are known at synth and differ. */
function differs(a: string, b: string): boolean {
  return !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
}

/** The top-level stack a construct deploys with. */
function deploymentOf(scope: IConstruct): Stack {
  let stack = Stack.of(scope);
  while (stack.nestedStackParent) {
    stack = stack.nestedStackParent;
  }
  return stack;
}

function hasStack(scope: IConstruct): boolean {
  return scope.node.scopes.some(s => Stack.isStack(s));
}
