import { Lazy, Stack, Token } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Internal props of an image's distribution configuration. */
export interface ImageDistributionProps {
  readonly name: string;
  readonly amiName: string;
  readonly amiDescription?: string;
  readonly amiTags?: { [key: string]: string };
  readonly kmsKey?: kms.IKey;
}

/** Who may launch the AMI, in Image Builder's terms. */
export interface LaunchPermissionSettings {
  readonly userIds?: string[];
  readonly userGroups?: string[];
  readonly organizationArns?: string[];
  readonly organizationalUnitArns?: string[];
}

/** An SSM parameter that receives the AMI id. */
export interface SsmParameterSettings {
  readonly parameterName: string;
  readonly amiAccountId?: string;
  readonly dataType: string;
}

/** A launch template that gets a version with the AMI id. */
export interface LaunchTemplateSettings {
  readonly launchTemplateId: string;
  readonly accountId?: string;
  readonly setDefaultVersion: boolean;
}

/** EC2 Fast Launch settings of one region. */
export interface FastLaunchSettings {
  readonly accountId?: string;
  readonly launchTemplateId?: string;
  readonly maxParallelLaunches?: number;
  readonly targetResourceCount?: number;
}

/** What happens to the AMI in one region (already checked by the caller). */
export interface RegionOutputs {
  /** The region; undefined for the build region. */
  readonly region?: string;
  readonly kmsKeyArn?: string;
  readonly targetAccountIds?: string[];
  readonly launchPermission?: LaunchPermissionSettings;
  readonly amiTags?: { [key: string]: string };
  readonly ssmParameters?: SsmParameterSettings[];
  readonly launchTemplates?: LaunchTemplateSettings[];
  readonly fastLaunch?: FastLaunchSettings;
  readonly licenseConfigurationArns?: string[];
}

/** An SSM parameter output with its region resolved. */
export interface SsmParameterOutput extends SsmParameterSettings {
  readonly region: string;
}

/**
 * A stack of another deployment that launches the image: the AMI id of each bake is published
 * for it in an SSM parameter (see image-publication.ts for why and how it is read).
 */
export interface ImageIdPublication {
  readonly parameterName: string;
  /** The consumer's region where it is known at synth and is not the build region's. */
  readonly region?: string;
  /** The consumer's account where it is known at synth and differs from the image's. */
  readonly account?: string;
}

/**
 * Published AMI ids are plain text: Systems Manager checks an `aws:ec2:image` value after
 * PutParameter has returned, and only then creates the parameter, so a consumer stack deployed
 * right after the image stack could miss it. `text` is written before the call returns.
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-data-types.html
 */
const PUBLICATION_DATA_TYPE = 'text';

/**
 * The image's one distribution configuration: the AMI's name, description and tags in the
 * build region, and whatever regions, accounts and outputs pipelines add. Rendered lazily so
 * the deploy-time build and every pipeline distribute alike.
 */
export class ImageDistribution extends Construct {
  public readonly distributionConfigurationArn: string;
  private buildRegionOutputs?: RegionOutputs;
  private readonly otherRegions = new Map<string, RegionOutputs>();
  private readonly publications = new Map<string, ImageIdPublication>();

  constructor(scope: Construct, id: string, private readonly props: ImageDistributionProps) {
    super(scope, id);
    const resource = new imagebuilder.CfnDistributionConfiguration(this, 'Resource', {
      name: props.name,
      distributions: Lazy.any({ produce: () => this.render() }),
    });
    this.distributionConfigurationArn = resource.attrArn;
  }

  /** True when `region` (undefined: the build region) already has an entry. */
  public hasRegion(region?: string): boolean {
    return this.isBuildRegion(region) ? this.buildRegionOutputs !== undefined : this.otherRegions.has(region!);
  }

  /** True when `region` names the stack's region (or is undefined). */
  public isBuildRegion(region?: string): boolean {
    const stackRegion = Stack.of(this).region;
    return region === undefined || (!Token.isUnresolved(stackRegion) && region === stackRegion);
  }

  /** The tags of a region's AMI: the image's, and the region's own over them. */
  public regionAmiTags(regionTags?: { [key: string]: string }): { [key: string]: string } {
    return { ...this.props.amiTags, ...regionTags };
  }

  /** Adds one region's outputs; the caller checks there is no entry for it yet. */
  public addRegion(outputs: RegionOutputs): void {
    if (this.hasRegion(outputs.region)) {
      throw new Error(`${this.node.path}: the distribution already has an entry for ${outputs.region ?? 'the build region'}`);
    }
    if (this.isBuildRegion(outputs.region)) {
      this.buildRegionOutputs = outputs;
    } else {
      this.otherRegions.set(outputs.region!, outputs);
    }
  }

  /** The accounts any region's entry copies the AMI to. */
  public get targetAccounts(): string[] {
    const entries = [this.buildRegionOutputs, ...this.otherRegions.values()];
    return [...new Set(entries.flatMap(outputs => outputs?.targetAccountIds ?? []))];
  }

  /** Every SSM parameter output (published AMI ids included), with its region. */
  public get ssmParameters(): SsmParameterOutput[] {
    const stackRegion = Stack.of(this).region;
    const entries: Array<[string, RegionOutputs | undefined]> = [[stackRegion, this.buildRegionOutputs], ...this.otherRegions.entries()];
    return [
      ...entries.flatMap(([region, outputs]) => (outputs?.ssmParameters ?? []).map(p => ({ ...p, region }))),
      ...[...this.publications.values()].map(p => this.publicationOutput(p)),
    ];
  }

  /**
   * Has every build write its AMI id to `publication.parameterName` where the consumer runs.
   * Returns the parameter when it is new, undefined when it was published already.
   */
  public publishImageId(publication: ImageIdPublication): SsmParameterOutput | undefined {
    const key = [publication.region ?? '', publication.account ?? '', publication.parameterName].join('|');
    if (this.publications.has(key)) {
      return undefined;
    }
    this.publications.set(key, publication);
    return this.publicationOutput(publication);
  }

  /**
   * Why the AMI never reaches where `publication` asks for it (a region it is not distributed
   * to, an account it is not copied to), or undefined. Complete once every pipeline is added.
   */
  public publicationProblem(publication: ImageIdPublication): string | undefined {
    const placement = this.placement(publication);
    if (placement === undefined) {
      const regions = [Token.isUnresolved(Stack.of(this).region) ? 'the build region' : Stack.of(this).region, ...this.otherRegions.keys()];
      return `its AMI is only in ${regions.join(', ')}, and the consumer runs in ${publication.region}`;
    }
    const outputs = placement.region === undefined ? this.buildRegionOutputs : this.otherRegions.get(placement.region);
    if (publication.account !== undefined && !outputs?.targetAccountIds?.includes(publication.account)) {
      return `its AMI is not copied to account ${publication.account} in ${placement.region ?? 'the build region'}, where the consumer runs`;
    }
    return undefined;
  }

  /** The parameter a publication writes; its region is the consumer's (or the build region). */
  private publicationOutput(publication: ImageIdPublication): SsmParameterOutput {
    return {
      parameterName: publication.parameterName,
      region: publication.region ?? Stack.of(this).region,
      amiAccountId: publication.account,
      dataType: PUBLICATION_DATA_TYPE,
    };
  }

  /**
   * The entry a publication is written by: undefined region for the build region. Undefined
   * when the AMI does not reach the consumer's region.
   */
  private placement(publication: ImageIdPublication): { region?: string } | undefined {
    const region = publication.region;
    if (region === undefined || this.isBuildRegion(region)) {
      return {};
    }
    if (this.otherRegions.has(region)) {
      return { region };
    }
    // An image stack without a region of its own may be deployed to the consumer's region.
    return Token.isUnresolved(Stack.of(this).region) ? {} : undefined;
  }

  /** The published parameters the entry for `region` (undefined: the build region) writes. */
  private publishedIn(region?: string): SsmParameterSettings[] {
    const placed = [...this.publications.values()]
      .filter(p => this.publicationProblem(p) === undefined && this.placement(p)?.region === region)
      .map(p => this.publicationOutput(p));
    // Consumers placed apart at synth can meet in one entry (an image stack without a region).
    return placed.filter((p, i) => placed.findIndex(q => q.parameterName === p.parameterName && q.amiAccountId === p.amiAccountId) === i);
  }

  private render(): imagebuilder.CfnDistributionConfiguration.DistributionProperty[] {
    return [
      this.renderRegion(Stack.of(this).region, this.buildRegionOutputs, this.props.kmsKey?.keyArn, this.publishedIn()),
      ...[...this.otherRegions.entries()].map(([region, outputs]) => this.renderRegion(region, outputs, undefined, this.publishedIn(region))),
    ];
  }

  private renderRegion(region: string, outputs?: RegionOutputs, defaultKmsKeyArn?: string, published: SsmParameterSettings[] = []):
  imagebuilder.CfnDistributionConfiguration.DistributionProperty {
    const ssmParameters = [...outputs?.ssmParameters ?? [], ...published];
    const tags = this.regionAmiTags(outputs?.amiTags);
    const kmsKeyArn = outputs?.kmsKeyArn ?? defaultKmsKeyArn;
    const launchPermission = outputs?.launchPermission ? pascalCaseLaunchPermission(outputs.launchPermission) : undefined;
    return {
      region,
      // The L1 types this property as `any` and passes it through as written: CloudFormation's casing.
      amiDistributionConfiguration: {
        Name: this.props.amiName,
        ...(this.props.amiDescription ? { Description: this.props.amiDescription } : {}),
        ...(Object.keys(tags).length > 0 ? { AmiTags: tags } : {}),
        ...(kmsKeyArn ? { KmsKeyId: kmsKeyArn } : {}),
        ...(outputs?.targetAccountIds?.length ? { TargetAccountIds: outputs.targetAccountIds } : {}),
        ...(launchPermission ? { LaunchPermissionConfiguration: launchPermission } : {}),
      },
      ssmParameterConfigurations: ssmParameters.length ? ssmParameters.map(p => ({
        parameterName: p.parameterName,
        dataType: p.dataType,
        amiAccountId: p.amiAccountId,
      })) : undefined,
      launchTemplateConfigurations: outputs?.launchTemplates?.length ? outputs.launchTemplates.map(t => ({
        launchTemplateId: t.launchTemplateId,
        accountId: t.accountId,
        setDefaultVersion: t.setDefaultVersion,
      })) : undefined,
      fastLaunchConfigurations: outputs?.fastLaunch ? [fastLaunchConfiguration(outputs.fastLaunch)] : undefined,
      licenseConfigurationArns: outputs?.licenseConfigurationArns?.length ? outputs.licenseConfigurationArns : undefined,
    };
  }
}

function pascalCaseLaunchPermission(permission: LaunchPermissionSettings): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  if (permission.userIds?.length) out.UserIds = permission.userIds;
  if (permission.userGroups?.length) out.UserGroups = permission.userGroups;
  if (permission.organizationArns?.length) out.OrganizationArns = permission.organizationArns;
  if (permission.organizationalUnitArns?.length) out.OrganizationalUnitArns = permission.organizationalUnitArns;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * One Fast Launch configuration, enabled, with only what was set
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-distributionconfiguration-fastlaunchconfiguration.html).
 */
function fastLaunchConfiguration(settings: FastLaunchSettings): imagebuilder.CfnDistributionConfiguration.FastLaunchConfigurationProperty {
  return {
    enabled: true,
    accountId: settings.accountId,
    launchTemplate: settings.launchTemplateId ? { launchTemplateId: settings.launchTemplateId } : undefined,
    maxParallelLaunches: settings.maxParallelLaunches,
    snapshotConfiguration: settings.targetResourceCount !== undefined ? { targetResourceCount: settings.targetResourceCount } : undefined,
  };
}
