import { Lazy, Stack } from 'aws-cdk-lib';
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

/**
 * The image's one distribution configuration: the AMI's name, description and tags in the
 * build region. Rendered lazily so the image pipeline can add regions, accounts and outputs.
 */
export class ImageDistribution extends Construct {
  public readonly distributionConfigurationArn: string;
  private readonly extraDistributions: imagebuilder.CfnDistributionConfiguration.DistributionProperty[] = [];

  constructor(scope: Construct, id: string, private readonly props: ImageDistributionProps) {
    super(scope, id);
    const resource = new imagebuilder.CfnDistributionConfiguration(this, 'Resource', {
      name: props.name,
      distributions: Lazy.any({ produce: () => [this.buildRegion(), ...this.extraDistributions] }),
    });
    this.distributionConfigurationArn = resource.attrArn;
  }

  /** Adds a distribution entry (another region). */
  public addDistribution(distribution: imagebuilder.CfnDistributionConfiguration.DistributionProperty): void {
    this.extraDistributions.push(distribution);
  }

  private buildRegion(): imagebuilder.CfnDistributionConfiguration.DistributionProperty {
    const tags = this.props.amiTags && Object.keys(this.props.amiTags).length > 0 ? this.props.amiTags : undefined;
    return {
      region: Stack.of(this).region,
      // The L1 types this property as `any` and passes it through as written: CloudFormation's casing.
      amiDistributionConfiguration: {
        Name: this.props.amiName,
        ...(this.props.amiDescription ? { Description: this.props.amiDescription } : {}),
        ...(tags ? { AmiTags: tags } : {}),
        ...(this.props.kmsKey ? { KmsKeyId: this.props.kmsKey.keyArn } : {}),
      },
    };
  }
}
