import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct, IConstruct } from 'constructs';
import { LifecycleAction, LifecycleRuleScope, lifecycleExecutionRole } from '../image/ami-deletion-role';
import { ACCOUNT_ID, REGION } from '../image/distribution-settings';
import { invalidProp } from '../private/errors';
import { checkImageBuilderTags } from '../private/image-builder-tags';

/*
 * Image Builder lifecycle policies, as CloudFormation and the API document them:
 * - AWS::ImageBuilder::LifecyclePolicy (PolicyDetails, ResourceSelection, ResourceType)
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-lifecyclepolicy.html
 * - Action: Type DELETE | DEPRECATE | DISABLE; IncludeResources: DELETE may include AMIs, snapshots
 *   and containers, DEPRECATE and DISABLE AMIs only, snapshots only together with AMIs
 *   https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailAction.html
 * - Filter: Type AGE | COUNT, Value 1 to 1000, Unit DAYS | WEEKS | MONTHS | YEARS (age only),
 *   RetainAtLeast 1 to 10, "for age-based filters ... after the lifecycle DELETE action"
 *   https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailFilter.html
 * - ExclusionRules: TagMap (Image Builder image resources, at most 50 tags) and Amis {IsPublic,
 *   LastLaunched, Regions, SharedAccounts (12 digits, 1 to 1536), TagMap (at most 50)}; "AMIs with
 *   no recorded last-launched time aren't excluded" by LastLaunched
 *   https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_LifecyclePolicyDetailExclusionRulesAmis.html
 * - DEPRECATE and DISABLE are "not available for container images"; a disabled AMI "can't be used
 *   to launch new instances"; a deprecated one still can
 *   https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-lifecycle-rules.html
 */

/** Image Builder's limits on lifecycle policy filters and exclusions. */
const LIMITS = { count: 1000, ageDays: 1000, retainAtLeast: 10, lastLaunchedDays: 365, sharedAccounts: 1536 };

/** The order the actions must come in: an image is deprecated, then disabled, then deleted. */
const ORDER: LifecycleAction[] = ['DEPRECATE', 'DISABLE', 'DELETE'];

/**
 * When a lifecycle rule acts on a build: once it is older than an age, or once a number of newer
 * builds exist.
 */
export class LifecycleThreshold {
  /**
   * Act on every build beyond the newest `images` of each recipe version (at least 1, so the
   * newest build is never touched). Image Builder counts builds per recipe version, and the
   * library gives the recipe a new version whenever its content changes: builds of older
   * versions are counted apart, so up to `images` of each stay. Delete rules only.
   */
  public static count(images: number): LifecycleThreshold {
    return new LifecycleThreshold('COUNT', images, undefined, undefined);
  }

  /**
   * Act on builds older than `age` (whole days).
   *
   * @param age the age after which the rule acts
   * @param retainAtLeast for a delete rule: how many builds of each recipe version stay however
   * old they are, 1 to 10 (default 1). Image Builder applies it to delete rules only, per recipe
   * version: the newest builds of every older version stay too.
   */
  public static age(age: Duration, retainAtLeast?: number): LifecycleThreshold {
    return new LifecycleThreshold('AGE', undefined, age, retainAtLeast);
  }

  private constructor(
    private readonly type: 'COUNT' | 'AGE',
    private readonly images: number | undefined,
    private readonly maxAge: Duration | undefined,
    private readonly retainAtLeast: number | undefined,
  ) {}

  /**
   * The rule's filter, checked for the construct at `scope`.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string, action: LifecycleAction): BoundThreshold {
    if (this.type === 'COUNT') {
      const images = this.images!;
      if (action !== 'DELETE') {
        // Image Builder documents deprecate and disable rules by age only, and evaluates them
        // by an age check alone (lifecycle-policy-execution.html, "For deprecate and disable
        // rules"): a count there would be refused, or act on every build, the newest too.
        invalidProp(scope, prop, `LifecycleThreshold.count(${images})`, `Image Builder ${action.toLowerCase()}s builds by age only; counts are for delete rules`,
          `Give the ${action.toLowerCase()} rule an age: LifecycleThreshold.age(Duration.days(n))`);
      }
      if (!Token.isUnresolved(images) && (!Number.isInteger(images) || images < 1 || images > LIMITS.count)) {
        invalidProp(scope, prop, images, `Image Builder keeps a whole number of images from 1 to ${LIMITS.count}, and at least the newest one must stay`,
          'Give a count of 1 or more');
      }
      return { filter: { type: 'COUNT', value: images }, count: Token.isUnresolved(images) ? undefined : images };
    }
    const days = wholeDays(scope, prop, this.maxAge!, LIMITS.ageDays);
    if (action !== 'DELETE') {
      if (this.retainAtLeast !== undefined) {
        invalidProp(scope, `${prop}.retainAtLeast`, this.retainAtLeast, `Image Builder keeps retainAtLeast images for delete rules only, and this is a ${action.toLowerCase()} rule`,
          `Leave retainAtLeast out of the ${action.toLowerCase()} rule: LifecycleThreshold.age(${this.maxAge!.toHumanString()})`);
      }
      return { filter: { type: 'AGE', value: days, unit: 'DAYS' }, days: Token.isUnresolved(days) ? undefined : days };
    }
    const retainAtLeast = this.retainAtLeast ?? 1;
    if (!Token.isUnresolved(retainAtLeast) && (!Number.isInteger(retainAtLeast) || retainAtLeast < 1 || retainAtLeast > LIMITS.retainAtLeast)) {
      invalidProp(scope, `${prop}.retainAtLeast`, retainAtLeast, `Image Builder keeps 1 to ${LIMITS.retainAtLeast} images regardless of age`,
        `Give a whole number from 1 to ${LIMITS.retainAtLeast}`);
    }
    return { filter: { type: 'AGE', value: days, unit: 'DAYS', retainAtLeast }, days: Token.isUnresolved(days) ? undefined : days };
  }
}

/** A threshold rendered, with its concrete size for the checks between rules. */
interface BoundThreshold {
  readonly filter: imagebuilder.CfnLifecyclePolicy.FilterProperty;
  readonly count?: number;
  readonly days?: number;
}

/**
 * Builds a lifecycle rule leaves alone, whatever their age or count.
 */
export interface ImageLifecycleExclusions {
  /**
   * Leave public AMIs alone.
   *
   * @default false
   */
  readonly publicAmis?: boolean;

  /**
   * Leave AMIs that launched an instance within this time alone (whole days, up to 365). AMIs
   * never launched have no launch time and are not excluded. For disable and delete rules it
   * replaces the pipeline's `keepImagesLaunchedWithin`.
   *
   * @default - the pipeline's keepImagesLaunchedWithin for disable and delete rules, none for deprecate rules
   */
  readonly launchedWithin?: Duration;

  /**
   * Leave the AMIs in these regions alone.
   *
   * @default - none
   */
  readonly regions?: string[];

  /**
   * Leave AMIs shared with these accounts alone.
   *
   * @default - none
   */
  readonly sharedAccounts?: string[];

  /**
   * Leave AMIs carrying any of these tags alone (at most 50 tags, with the library's own).
   *
   * @default - only the tag the library puts on AMIs that live deployments launch
   */
  readonly amiTags?: { [key: string]: string };

  /**
   * Leave Image Builder images (builds) carrying these tags alone (at most 50).
   *
   * @default - none
   */
  readonly imageTags?: { [key: string]: string };
}

/**
 * A lifecycle rule that deprecates or disables builds.
 */
export interface ImageLifecycleRule {
  /** When the rule acts on a build. */
  readonly after: LifecycleThreshold;

  /**
   * Apply the action to the build's distributed AMIs too (the EC2 deprecation time, or the AMI
   * disabled), not only to the Image Builder image's status.
   *
   * @default true
   */
  readonly includeAmis?: boolean;

  /**
   * Builds the rule leaves alone.
   *
   * @default - for disable rules, AMIs launched within the pipeline's keepImagesLaunchedWithin and those live deployments launch
   */
  readonly exclude?: ImageLifecycleExclusions;
}

/**
 * A lifecycle rule that deletes builds, with what goes with them.
 */
export interface ImageDeletionRule extends ImageLifecycleRule {
  /**
   * Delete the snapshots of the deregistered AMIs (only with `includeAmis`).
   *
   * @default true
   */
  readonly includeSnapshots?: boolean;

  /**
   * Delete the distributed container images in ECR (container image pipelines only).
   *
   * @default true for container images
   */
  readonly includeContainers?: boolean;
}

/**
 * The rules of a lifecycle policy, applied in order: deprecated, then disabled, then deleted.
 * Each rule must act later than the one before it.
 */
export interface ImageLifecycleRules {
  /**
   * Deprecate builds: the image's status, and the AMIs' EC2 deprecation time (they stay
   * launchable, but leave ordinary DescribeImages results).
   *
   * @default - not deprecated
   */
  readonly deprecate?: ImageLifecycleRule;

  /**
   * Disable builds: a disabled AMI turns private and cannot launch instances.
   *
   * @default - not disabled
   */
  readonly disable?: ImageLifecycleRule;

  /**
   * Delete builds: the Image Builder image, with its AMIs and their snapshots by default.
   *
   * @default - not deleted
   */
  readonly delete?: ImageDeletionRule;
}

/**
 * How an image's old builds are retired: deprecated, disabled and deleted by an Image Builder
 * lifecycle policy. The newest build is never touched, and an AMI a live ImmutableDeployment of
 * this app launches is never disabled or deleted.
 */
export class ImageRetention {
  /**
   * Keep the newest `images` builds of each recipe version (at least 1); older ones are deleted
   * with their AMIs and snapshots. Image Builder counts per recipe version, and a change of the
   * recipe's content is a new version: up to `images` builds of each older version stay too.
   */
  public static count(images: number): ImageRetention {
    return new ImageRetention({ delete: { after: LifecycleThreshold.count(images) } }, true);
  }

  /**
   * Delete builds older than `maxAge` (whole days), keeping at least `retainAtLeast` of each
   * recipe version whatever their age (Image Builder keeps them per recipe version, so the
   * newest builds of every older version stay as well).
   *
   * @param maxAge the age after which a build is deleted
   * @param retainAtLeast how many builds of each recipe version to keep however old they are, 1 to 10 (default 1)
   */
  public static age(maxAge: Duration, retainAtLeast?: number): ImageRetention {
    return new ImageRetention({ delete: { after: LifecycleThreshold.age(maxAge, retainAtLeast) } }, true);
  }

  /**
   * Deprecate, disable and delete builds by age or count, for example deprecate after 30 days
   * and delete after 90.
   */
  public static lifecycle(rules: ImageLifecycleRules): ImageRetention {
    return new ImageRetention(rules, false);
  }

  /**
   * A deprecation by age alone, whose errors name the prop it came from (GoldenImage's deprecateAfter).
   *
   * @internal
   */
  public static _deprecation(after: Duration): ImageRetention {
    return new ImageRetention({ deprecate: { after: LifecycleThreshold.age(after) } }, true);
  }

  private constructor(private readonly rules: ImageLifecycleRules, private readonly shorthand: boolean) {}

  /**
   * The lifecycle policy's rules, checked for the construct at `scope` against each other and the
   * pipeline's schedule.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string, context: RetentionContext): BoundRetention {
    const present = ORDER.filter(action => this.ruleFor(action) !== undefined);
    if (present.length === 0) {
      invalidProp(scope, prop, {}, 'a lifecycle policy needs at least one rule', 'Give ImageRetention.lifecycle() a deprecate, disable or delete rule');
    }
    const bound = present.map(action => this.bindRule(scope, action, context, this.shorthand ? prop : `${prop}.${action.toLowerCase()}`));
    checkOrder(scope, bound);
    checkSchedule(scope, bound, context);
    return {
      details: bound.map(b => b.detail),
      actions: bound.map(b => ({ action: b.action, amis: b.amis, snapshots: b.snapshots, containers: b.containers })),
    };
  }

  private ruleFor(action: LifecycleAction): ImageLifecycleRule | undefined {
    switch (action) {
      case 'DEPRECATE': return this.rules.deprecate;
      case 'DISABLE': return this.rules.disable;
      case 'DELETE': return this.rules.delete;
    }
  }

  private bindRule(scope: IConstruct, action: LifecycleAction, context: RetentionContext, prop: string): BoundRule {
    const rule = this.ruleFor(action)!;
    const containerImages = context.resourceType === 'CONTAINER_IMAGE';
    const lower = action.toLowerCase();
    if (containerImages && action !== 'DELETE') {
      invalidProp(scope, prop, lower, `Image Builder deprecates and disables AMIs only, and ${context.ownerDescription} retires container images`,
        'Use a delete rule for container images');
    }
    const deletion = rule as ImageDeletionRule;
    if (containerImages && (rule.includeAmis || deletion.includeSnapshots)) {
      invalidProp(scope, `${prop}.${rule.includeAmis ? 'includeAmis' : 'includeSnapshots'}`, true, 'container images have no AMIs or snapshots',
        'Leave includeAmis and includeSnapshots out, or use includeContainers');
    }
    if (!containerImages && deletion.includeContainers) {
      invalidProp(scope, `${prop}.includeContainers`, true, `${context.ownerDescription} builds AMIs, not container images`, 'Leave includeContainers out');
    }
    const amis = !containerImages && (rule.includeAmis ?? true);
    const snapshots = action === 'DELETE' && amis && (deletion.includeSnapshots ?? true);
    if (action === 'DELETE' && !amis && deletion.includeSnapshots) {
      invalidProp(scope, `${prop}.includeSnapshots`, true, 'Image Builder deletes snapshots only together with their AMIs, and includeAmis is false',
        'Set includeAmis to true, or leave includeSnapshots out');
    }
    const containers = action === 'DELETE' && containerImages && (deletion.includeContainers ?? true);
    const afterProp = this.shorthand ? prop : `${prop}.after`;
    const threshold = rule.after._bind(scope, afterProp, action);
    const includeResources: imagebuilder.CfnLifecyclePolicy.IncludeResourcesProperty | undefined = containerImages
      ? (containers ? { containers: true } : undefined)
      : (amis ? { amis: true, ...(action === 'DELETE' ? { snapshots } : {}) } : undefined);
    const exclusionRules = exclusions(scope, `${prop}.exclude`, action, rule.exclude ?? {}, context);
    return {
      action,
      prop,
      afterProp,
      threshold,
      amis,
      snapshots,
      containers,
      detail: {
        action: { type: action, includeResources },
        filter: threshold.filter,
        exclusionRules,
      },
    };
  }
}

/** What the owner of a retirement tells the rules. */
export interface RetentionContext {
  /** `AMI_IMAGE` or `CONTAINER_IMAGE`: chosen by the owner, never by the user. */
  readonly resourceType: RetiredResourceType;
  /** The owner, as messages name it (for example 'the pipeline'). */
  readonly ownerDescription: string;
  /** The longest the owner is known to wait between builds, in days; undefined when unknown. */
  readonly buildIntervalDays?: number;
  /** Where the interval comes from, for messages. */
  readonly scheduleDescription?: string;
  /** AMIs launched within this many days are never disabled or deleted. */
  readonly keepLaunchedWithinDays?: number;
  /** The AMI tags that mark AMIs live deployments launch, which disable and delete rules exclude. */
  readonly inUseAmiTags?: { [key: string]: string };
}

/** The resource type of a lifecycle policy. */
export type RetiredResourceType = 'AMI_IMAGE' | 'CONTAINER_IMAGE';

/** What the rules act on, for the execution role. */
export type BoundAction = LifecycleRuleScope;

/** The rendered rules. */
export interface BoundRetention {
  readonly details: imagebuilder.CfnLifecyclePolicy.PolicyDetailProperty[];
  readonly actions: BoundAction[];
}

/** True where a rule disables or deletes builds, so the AMIs live deployments launch need the in-use tag. */
export function stopsAnyLaunch(actions: BoundAction[]): boolean {
  return actions.some(a => stopsLaunches(a.action));
}

interface BoundRule extends BoundAction {
  readonly prop: string;
  /** Where the rule's threshold came from. */
  readonly afterProp: string;
  readonly threshold: BoundThreshold;
  readonly detail: imagebuilder.CfnLifecyclePolicy.PolicyDetailProperty;
}

/** True where the action stops the AMI from launching (disabled, or deregistered). */
function stopsLaunches(action: LifecycleAction): boolean {
  return action !== 'DEPRECATE';
}

function exclusions(scope: IConstruct, prop: string, action: LifecycleAction, options: ImageLifecycleExclusions, context: RetentionContext):
imagebuilder.CfnLifecyclePolicy.ExclusionRulesProperty | undefined {
  const containerImages = context.resourceType === 'CONTAINER_IMAGE';
  const amiOptions = [options.publicAmis, options.launchedWithin, options.regions, options.sharedAccounts, options.amiTags];
  if (containerImages && amiOptions.some(o => o !== undefined)) {
    invalidProp(scope, prop, options, 'the AMI exclusions (publicAmis, launchedWithin, regions, sharedAccounts, amiTags) apply to AMIs, and these are container images',
      'Exclude container images by imageTags');
  }
  (options.regions ?? []).forEach((region, i) => {
    if (!Token.isUnresolved(region) && !REGION.test(region)) {
      invalidProp(scope, `${prop}.regions[${i}]`, region, 'it is not an AWS region name', 'Give a region such as \'eu-west-1\'');
    }
  });
  const accounts = options.sharedAccounts ?? [];
  if (accounts.length > LIMITS.sharedAccounts) {
    invalidProp(scope, `${prop}.sharedAccounts`, `${accounts.length} accounts`, `Image Builder takes 1 to ${LIMITS.sharedAccounts}`, 'Give fewer accounts');
  }
  accounts.forEach((account, i) => {
    if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account)) {
      invalidProp(scope, `${prop}.sharedAccounts[${i}]`, account, 'an AWS account id is 12 digits', 'Give the 12-digit account id');
    }
  });
  const userAmiTags = options.amiTags ?? {};
  checkImageBuilderTags(scope, `${prop}.imageTags`, options.imageTags ?? {}, EXCLUSION_TAGS);
  checkImageBuilderTags(scope, `${prop}.amiTags`, userAmiTags, EXCLUSION_TAGS);
  const launchedWithinDays = options.launchedWithin !== undefined
    ? wholeDays(scope, `${prop}.launchedWithin`, options.launchedWithin, LIMITS.lastLaunchedDays)
    : (stopsLaunches(action) ? context.keepLaunchedWithinDays : undefined);

  // Deprecated AMIs still launch: only the actions that stop launches spare the AMIs in use.
  const amiTags = containerImages ? undefined : stopsLaunches(action)
    ? tagsWithin(scope, `${prop}.amiTags`, { ...userAmiTags, ...context.inUseAmiTags })
    : nonEmpty(userAmiTags);
  const amis: imagebuilder.CfnLifecyclePolicy.AmiExclusionRulesProperty = {
    isPublic: options.publicAmis,
    lastLaunched: launchedWithinDays !== undefined ? { value: launchedWithinDays, unit: 'DAYS' } : undefined,
    // Image Builder takes 1 or more of each: an empty list is no exclusion.
    regions: options.regions?.length ? options.regions : undefined,
    sharedAccounts: accounts.length > 0 ? accounts : undefined,
    tagMap: amiTags,
  };
  const hasAmiRules = Object.values(amis).some(v => v !== undefined);
  const imageTags = nonEmpty(options.imageTags ?? {});
  if (!hasAmiRules && imageTags === undefined) {
    return undefined;
  }
  return { amis: hasAmiRules ? amis : undefined, tagMap: imageTags };
}

function nonEmpty(tags: { [key: string]: string }): { [key: string]: string } | undefined {
  return Object.keys(tags).length > 0 ? tags : undefined;
}

function tagsWithin(scope: IConstruct, prop: string, tags: { [key: string]: string }): { [key: string]: string } | undefined {
  checkImageBuilderTags(scope, prop, tags, EXCLUSION_TAGS);
  return nonEmpty(tags);
}

/** Exclusion tag maps take at most 50 entries; the library's in-use tag counts among them. */
const EXCLUSION_TAGS = { max: 50, what: 'exclusion tags (the library adds its own for AMIs in use)' };

/**
 * Each rule must act later than the one before it (deprecate, disable, delete): a delete rule
 * that acts first deletes builds that were never deprecated, and a disable rule after the delete
 * rule never finds a build to disable. Thresholds of different kinds (age, count) cannot be
 * compared at synth.
 */
function checkOrder(scope: IConstruct, rules: BoundRule[]): void {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const [earlier, later] = [rules[i], rules[j]];
      const size = (r: BoundRule) => r.threshold.days ?? r.threshold.count;
      const kind = (r: BoundRule) => (r.threshold.days !== undefined ? 'days' : 'images');
      const [a, b] = [size(earlier), size(later)];
      if (a === undefined || b === undefined || kind(earlier) !== kind(later) || a < b) {
        continue;
      }
      const [first, second] = [earlier.action.toLowerCase(), later.action.toLowerCase()];
      const unit = kind(earlier) === 'days' ? `after ${b} days` : `beyond the newest ${b} images`;
      const problem = later.action === 'DELETE'
        ? `the ${second} rule acts ${unit}, no later than the ${first} rule (${a}), so builds are deleted before they are ${first}d`
        : `the ${second} rule acts ${unit}, no later than the ${first} rule (${a}), so builds are ${second}d before they are ${first}d`;
      invalidProp(scope, later.afterProp, b, problem,
        `Give the ${second} rule a larger threshold than the ${first} rule (${kind(earlier) === 'days' ? `more than ${a} days` : `a count above ${a}`}), or drop one of them`);
    }
  }
}

/**
 * An age rule that acts before the next build exists acts on the newest build too: a disabled or
 * deleted newest AMI is one no fleet can launch. Only the gaps the schedule guarantees are known;
 * a pipeline that rebuilds when dependencies update can wait longer.
 */
function checkSchedule(scope: IConstruct, rules: BoundRule[], context: RetentionContext): void {
  const interval = context.buildIntervalDays;
  if (interval === undefined) {
    return;
  }
  for (const rule of rules) {
    const days = rule.threshold.days;
    if (days === undefined || days > interval) {
      continue;
    }
    const what = rule.action.toLowerCase();
    if (!stopsLaunches(rule.action)) {
      Annotations.of(scope).addWarningV2('cdk-immutable-infra:deprecateBeforeNextBuild',
        `${rule.afterProp}: ${days} days is no longer than ${context.scheduleDescription} (${interval} days between builds), so the newest build is deprecated before the next one exists`);
      continue;
    }
    invalidProp(scope, rule.afterProp, `${days} days`,
      `${context.scheduleDescription} builds every ${interval} days, so a build is ${days} days old before the next one exists: the ${what} rule would reach the newest build and keep nothing launchable`
        + (rule.action === 'DELETE' ? ' beyond retainAtLeast' : ''),
      rule.action === 'DELETE' ? `Give more than ${interval} days, or LifecycleThreshold.count(n) to keep the newest n builds` : `Give more than ${interval} days`);
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
  /** The prop the retention came from. */
  readonly prop: string;
  /** The lifecycle policy's name. */
  readonly name: string;
  /** The base name of the image, whose builds (image/<name>/...) the role may touch. */
  readonly imageName: string;
  /** The tag every build of the image carries, which selects them. */
  readonly selectionTag: { readonly key: string; readonly value: string };
  readonly retention: ImageRetention;
  /** Builds whose AMI launched an instance within this time are never disabled or deleted. */
  readonly keepLaunchedWithin?: Duration;
  readonly keepLaunchedWithinProp?: string;
  readonly context: Omit<RetentionContext, 'keepLaunchedWithinDays'>;
}

/**
 * An Image Builder lifecycle policy that deprecates, disables and deletes an image's old builds,
 * selected by the tag the library puts on every build of the image (CloudFormation does not take
 * version wildcards in recipe selections).
 */
export class ImageRetirement extends Construct {
  public readonly lifecyclePolicyArn: string;
  public readonly role: iam.IRole;
  /** Whether a rule disables or deletes builds (AMIs in use must then carry the in-use tag). */
  public readonly stopsLaunches: boolean;

  constructor(scope: Construct, id: string, props: ImageRetirementProps) {
    super(scope, id);
    const launchedWithinDays = props.keepLaunchedWithin
      ? wholeDays(props.owner, props.keepLaunchedWithinProp ?? 'keepLaunchedWithin', props.keepLaunchedWithin, LIMITS.lastLaunchedDays)
      : undefined;
    const bound = props.retention._bind(props.owner, props.prop, { ...props.context, keepLaunchedWithinDays: launchedWithinDays });
    this.stopsLaunches = stopsAnyLaunch(bound.actions);
    this.role = lifecycleExecutionRole(this, 'ExecutionRole', props.imageName, bound.actions);
    const policy = new imagebuilder.CfnLifecyclePolicy(this, 'Resource', {
      name: props.name,
      description: describe(props.selectionTag.value, bound.actions, launchedWithinDays, props.context.resourceType),
      executionRole: this.role.roleArn,
      resourceType: props.context.resourceType,
      status: 'ENABLED',
      resourceSelection: { tagMap: { [props.selectionTag.key]: props.selectionTag.value } },
      policyDetails: bound.details,
    });
    this.lifecyclePolicyArn = policy.attrArn;
  }
}

function describe(imageName: string, actions: BoundAction[], launchedWithinDays: number | undefined, resourceType: RetiredResourceType): string {
  const verbs = actions.map(a => a.action.toLowerCase() + 's');
  const what = verbs.length > 1 ? `${verbs.slice(0, -1).join(', ')} and ${verbs[verbs.length - 1]}` : verbs[0];
  if (resourceType === 'CONTAINER_IMAGE') {
    return `Retires old builds of ${imageName}: ${what} their container images`;
  }
  const spared = actions.some(a => stopsLaunches(a.action))
    ? `, never disabling or deleting an AMI in use by a deployment${launchedWithinDays !== undefined ? ` or launched in the last ${launchedWithinDays} days` : ''}`
    : '';
  return `Retires old builds of ${imageName}: ${what} them${spared}`;
}
