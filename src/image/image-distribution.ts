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
}

/** An SSM parameter output with its region resolved. */
export interface SsmParameterOutput extends SsmParameterSettings {
  readonly region: string;
}

/**
 * The image's one distribution configuration: the AMI's name, description and tags in the
 * build region, and whatever regions, accounts and outputs pipelines add. Rendered lazily so
 * the deploy-time build and every pipeline distribute alike.
 */
export class ImageDistribution extends Construct {
  public readonly distributionConfigurationArn: string;
  private buildRegionOutputs?: RegionOutputs;
  private readonly otherRegions = new Map<string, RegionOutputs>();

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

  /** Every SSM parameter output, with its region. */
  public get ssmParameters(): SsmParameterOutput[] {
    const stackRegion = Stack.of(this).region;
    const entries: Array<[string, RegionOutputs | undefined]> = [[stackRegion, this.buildRegionOutputs], ...this.otherRegions.entries()];
    return entries.flatMap(([region, outputs]) => (outputs?.ssmParameters ?? []).map(p => ({ ...p, region })));
  }

  private render(): imagebuilder.CfnDistributionConfiguration.DistributionProperty[] {
    return [
      this.renderRegion(Stack.of(this).region, this.buildRegionOutputs, this.props.kmsKey?.keyArn),
      ...[...this.otherRegions.entries()].map(([region, outputs]) => this.renderRegion(region, outputs)),
    ];
  }

  private renderRegion(region: string, outputs?: RegionOutputs, defaultKmsKeyArn?: string):
  imagebuilder.CfnDistributionConfiguration.DistributionProperty {
    const tags = { ...this.props.amiTags, ...outputs?.amiTags };
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
      ssmParameterConfigurations: outputs?.ssmParameters?.length ? outputs.ssmParameters.map(p => ({
        parameterName: p.parameterName,
        dataType: p.dataType,
        amiAccountId: p.amiAccountId,
      })) : undefined,
      launchTemplateConfigurations: outputs?.launchTemplates?.length ? outputs.launchTemplates.map(t => ({
        launchTemplateId: t.launchTemplateId,
        accountId: t.accountId,
        setDefaultVersion: t.setDefaultVersion,
      })) : undefined,
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
