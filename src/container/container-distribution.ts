import { Stack, Token } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import { Construct, IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/**
 * Another region a golden container image is copied to.
 */
export interface ContainerRegionDistribution {
  /** The region, e.g. 'eu-west-1'. */
  readonly region: string;

  /** The name of the ECR repository in that region the image is pushed to; it must exist. */
  readonly repositoryName: string;

  /**
   * Tags the image gets in that repository, besides the build version Image Builder tags every
   * image with. A repository with immutable tags refuses a second image with the same tag.
   *
   * @default - none
   */
  readonly containerTags?: string[];
}

/** Internal props of a container image's distribution configuration. */
export interface ContainerDistributionProps {
  readonly name: string;
  readonly description?: string;
  /** The repository the recipe pushes to, in the build region. */
  readonly repositoryName: string;
  /** Tags in the build region's repository (checked by the image). */
  readonly containerTags: string[];
  readonly regions: ContainerRegionDistribution[];
  /** The construct whose props are checked, for error messages. */
  readonly owner: IConstruct;
}

/** ECR repository names: lowercase path components. https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Image tags as ECR takes them. */
const CONTAINER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * A container image's distribution configuration: the build region's repository with its
 * tags, and the repositories of other regions the image is copied to.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-distributionconfiguration-containerdistributionconfiguration.html
 */
export class ContainerDistribution extends Construct {
  public readonly distributionConfigurationArn: string;

  constructor(scope: Construct, id: string, props: ContainerDistributionProps) {
    super(scope, id);
    checkContainerTags(props.owner, 'containerTags', props.containerTags);
    const regions = this.checkRegions(props);
    const resource = new imagebuilder.CfnDistributionConfiguration(this, 'Resource', {
      name: props.name,
      description: props.description,
      distributions: [
        distribution(Stack.of(this).region, props.repositoryName, props.containerTags, props.description),
        ...regions.map(r => distribution(r.region, r.repositoryName, r.containerTags ?? [], props.description)),
      ],
    });
    this.distributionConfigurationArn = resource.attrArn;
  }

  private checkRegions(props: ContainerDistributionProps): ContainerRegionDistribution[] {
    const seen = new Set<string>();
    const stackRegion = Stack.of(this).region;
    props.regions.forEach((r, i) => {
      const prop = `distribution[${i}]`;
      if (!Token.isUnresolved(r.region) && (r.region === stackRegion || seen.has(r.region))) {
        invalidProp(props.owner, `${prop}.region`, r.region, r.region === stackRegion ? 'it is the build region, whose repository is the image\'s own'
          : 'another entry names the same region', 'Give each other region once');
      }
      seen.add(r.region);
      if (!Token.isUnresolved(r.repositoryName) && !REPOSITORY_NAME.test(r.repositoryName)) {
        invalidProp(props.owner, `${prop}.repositoryName`, r.repositoryName, 'an ECR repository name is lowercase letters, digits and \'.\', \'_\', \'-\' or \'/\' separators',
          'Give the name of the repository in that region');
      }
      checkContainerTags(props.owner, `${prop}.containerTags`, r.containerTags ?? []);
    });
    return props.regions;
  }
}

/** Checks container tags: ECR's tag syntax, on one line. */
export function checkContainerTags(owner: IConstruct, prop: string, tags: string[]): void {
  tags.forEach((tag, i) => {
    if (Token.isUnresolved(tag) || !CONTAINER_TAG.test(tag)) {
      invalidProp(owner, `${prop}[${i}]`, tag, 'an image tag is 1 to 128 letters, digits, \'_\', \'.\' and \'-\' (not starting with \'.\' or \'-\'), known at synth',
        'Give a tag such as \'stable\' or \'1.4\'');
    }
  });
}

function distribution(region: string, repositoryName: string, tags: string[], description?: string):
imagebuilder.CfnDistributionConfiguration.DistributionProperty {
  return {
    region,
    // The L1 types this property as `any` and passes it through as written: CloudFormation's casing.
    containerDistributionConfiguration: {
      TargetRepository: { Service: 'ECR', RepositoryName: repositoryName },
      ...(tags.length > 0 ? { ContainerTags: tags } : {}),
      ...(description ? { Description: description } : {}),
    },
  };
}
