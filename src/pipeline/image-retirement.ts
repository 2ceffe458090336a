import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { imageBuilderServiceRole } from '../private/image-builder-role';

/** Image Builder's limits on lifecycle policy filters and exclusions. */
const LIMITS = { count: 1000, ageDays: 1000, retainAtLeast: 10, lastLaunchedDays: 365 };

/** The AWS-managed policy Image Builder documents for lifecycle execution roles. */
const LIFECYCLE_POLICY = 'service-role/EC2ImageBuilderLifecycleExecutionPolicy';

/**
 * How many of an image's builds to keep; older ones are deleted with their AMIs and
 * snapshots. The newest image is always kept.
 */
export class ImageRetention {
  /**
   * Keep the newest `images` builds (at least 1).
   */
  public static count(images: number): ImageRetention {
    return new ImageRetention('COUNT', images, undefined, undefined);
  }

  /**
   * Delete builds older than `maxAge` (whole days), keeping at least `retainAtLeast` of them
   * whatever their age.
   *
   * @param maxAge the age after which a build is deleted
   * @param retainAtLeast how many builds to keep however old they are, 1 to 10 (default 1)
   */
  public static age(maxAge: Duration, retainAtLeast?: number): ImageRetention {
    return new ImageRetention('AGE', undefined, maxAge, retainAtLeast);
  }

  private constructor(
    private readonly type: 'COUNT' | 'AGE',
    private readonly images: number | undefined,
    private readonly maxAge: Duration | undefined,
    private readonly retainAtLeast: number | undefined,
  ) {}

  /**
   * The lifecycle policy filter, checked for the construct at `scope`.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string): imagebuilder.CfnLifecyclePolicy.FilterProperty {
    if (this.type === 'COUNT') {
      const images = this.images!;
      if (!Token.isUnresolved(images) && (!Number.isInteger(images) || images < 1 || images > LIMITS.count)) {
        invalidProp(scope, prop, images, `Image Builder keeps a whole number of images from 1 to ${LIMITS.count}, and at least the newest one must stay`,
          'Give ImageRetention.count(n) with n of 1 or more');
      }
      return { type: 'COUNT', value: images };
    }
    const days = wholeDays(scope, prop, this.maxAge!, LIMITS.ageDays);
    const retainAtLeast = this.retainAtLeast ?? 1;
    if (!Token.isUnresolved(retainAtLeast) && (!Number.isInteger(retainAtLeast) || retainAtLeast < 1 || retainAtLeast > LIMITS.retainAtLeast)) {
      invalidProp(scope, `${prop}.retainAtLeast`, retainAtLeast, `Image Builder keeps 1 to ${LIMITS.retainAtLeast} images regardless of age`,
        `Give a whole number from 1 to ${LIMITS.retainAtLeast}`);
    }
    return { type: 'AGE', value: days, unit: 'DAYS', retainAtLeast };
  }
}

function wholeDays(scope: IConstruct, prop: string, duration: Duration, max: number): number {
  if (duration.isUnresolved()) {
    return duration.toDays();
  }
  const days = duration.toDays({ integral: false });
  if (!Number.isInteger(days) || days < 1 || days > max) {
    invalidProp(scope, prop, duration.toHumanString(), `Image Builder counts whole days from 1 to ${max} here`,
      `Give a whole number of days, for example Duration.days(${Math.min(max, Math.max(1, Math.ceil(days)))})`);
  }
  return days;
}

/** Internal props of an image's retirement. */
export interface ImageRetirementProps {
  /** The construct whose props are checked (the pipeline), for error messages. */
  readonly owner: IConstruct;
  /** What the builds are: AMIs (with snapshots) or container images in ECR. @default 'AMI_IMAGE' */
  readonly resourceType?: 'AMI_IMAGE' | 'CONTAINER_IMAGE';
  /** The prop the retention came from. */
  readonly prop: string;
  /** The lifecycle policy's name. */
  readonly name: string;
  /** The tag every build of the image carries, which selects them. */
  readonly selectionTag: { readonly key: string; readonly value: string };
  readonly retention: ImageRetention;
  /** Builds whose AMI launched an instance within this time are never retired. */
  readonly keepLaunchedWithin: Duration;
  readonly keepLaunchedWithinProp: string;
}

/**
 * An Image Builder lifecycle policy that deletes an image's old builds, their AMIs and
 * snapshots, selected by the tag the library puts on every build of the image (CloudFormation
 * does not take version wildcards in recipe selections).
 */
export class ImageRetirement extends Construct {
  public readonly lifecyclePolicyArn: string;
  public readonly role: iam.IRole;

  constructor(scope: Construct, id: string, props: ImageRetirementProps) {
    super(scope, id);
    const filter = props.retention._bind(props.owner, props.prop);
    const launchedWithinDays = wholeDays(props.owner, props.keepLaunchedWithinProp, props.keepLaunchedWithin, LIMITS.lastLaunchedDays);
    this.role = this.createRole();
    // Last-launched exclusions exist for AMIs only; a container image's action deletes the images in ECR.
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-lifecyclepolicy-includeresources.html
    const containers = props.resourceType === 'CONTAINER_IMAGE';
    const policy = new imagebuilder.CfnLifecyclePolicy(this, 'Resource', {
      name: props.name,
      description: containers ? `Retires old builds of ${props.selectionTag.value}: deletes their container images`
        : `Retires old builds of ${props.selectionTag.value}: deletes their AMIs and snapshots, never one launched in the last ${launchedWithinDays} days`,
      executionRole: this.role.roleArn,
      resourceType: props.resourceType ?? 'AMI_IMAGE',
      status: 'ENABLED',
      resourceSelection: { tagMap: { [props.selectionTag.key]: props.selectionTag.value } },
      policyDetails: [{
        action: { type: 'DELETE', includeResources: containers ? { containers: true } : { amis: true, snapshots: true } },
        filter,
        exclusionRules: containers ? undefined : { amis: { lastLaunched: { value: launchedWithinDays, unit: 'DAYS' } } },
      }],
    });
    this.lifecyclePolicyArn = policy.attrArn;
  }

  private createRole(): iam.Role {
    return imageBuilderServiceRole(this, 'ExecutionRole', {
      description: 'Image Builder lifecycle execution: deletes old builds of one golden image',
      managedPolicyName: LIFECYCLE_POLICY,
      managedPolicyReason: 'Image Builder documents this AWS-managed policy for lifecycle execution roles; it only touches AMIs and snapshots '
        + 'tagged CreatedBy: EC2 Image Builder, and AWS keeps it in step with what lifecycle actions call',
    });
  }
}
