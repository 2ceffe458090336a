import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { PipelineBakeExports } from './pipeline-bake-exports';
import { EXPORT_CALLER_REASON, exportCallerStatements, exportDescription } from './vm-export-caller';
import { OsFamily } from '../common/os-family';
import { kmsEncryption } from '../private/bucket-encryption';
import { invalidProp } from '../private/errors';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';

/**
 * The disk formats VM Import/Export writes (ExportImage's DiskImageFormat).
 * https://docs.aws.amazon.com/vm-import/latest/userguide/limits-image-export.html
 */
export enum DiskFormat {
  /** Stream-optimised VMDK: VMware ESX and vSphere, VMware Fusion and Workstation, VirtualBox. */
  VMDK = 'VMDK',
  /** Virtual Hard Disk: Citrix Xen and Microsoft Hyper-V. */
  VHD = 'VHD',
  /** A raw disk image. */
  RAW = 'RAW',
}

/**
 * Options of a VM-disk export.
 */
export interface VmExportOptions {
  /**
   * The disk format. One format per export: add another export for a second format.
   *
   * @default DiskFormat.VMDK
   */
  readonly format?: DiskFormat;

  /**
   * The key prefix the disk is written under; the file is `<prefix>export-ami-<id>.<format>`.
   * End it with `/` to make it a folder.
   *
   * @default - the image's name followed by `/`
   */
  readonly prefix?: string;

  /**
   * The VM Import/Export service role, given read and write access to the bucket under the
   * prefix. The library adds only those bucket statements: the role must already trust
   * `vmie.amazonaws.com` (with the `sts:Externalid` condition `vmimport`) and allow
   * ec2:CopySnapshot, ec2:ModifySnapshotAttribute, ec2:RegisterImage and ec2:Describe*, as
   * https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html#vmimport-role
   * has them. An imported role is named in ExportImage as it is, and receives no statements.
   *
   * @default - a role with VM Import/Export's documented trust and export permissions, scoped to the bucket and prefix
   */
  readonly role?: iam.IRole;
}

/**
 * An export of the image's AMI as a VM disk into an S3 bucket, with VM Import/Export.
 */
export class VmExport {
  /** Exports each deploy-time build's AMI to `bucket` (in the build region and account). */
  public static toBucket(bucket: s3.IBucket, options: VmExportOptions = {}): VmExport {
    return new VmExport(bucket, options);
  }

  private constructor(
    /** The bucket the disk lands in. */
    public readonly bucket: s3.IBucket,
    private readonly options: VmExportOptions) {}

  /** The disk format. */
  public get format(): DiskFormat {
    return this.options.format ?? DiskFormat.VMDK;
  }

  /** @internal */
  public _prefix(imageName: string): string {
    return this.options.prefix ?? `${imageName}/`;
  }

  /** @internal */
  public get _role(): iam.IRole | undefined {
    return this.options.role;
  }
}

/** What the image tells its exports. */
export interface VmExportContext {
  readonly imageName: string;
  readonly osFamily: OsFamily;
  /** True when the AMI's root snapshot will be encrypted (this image's or its parent's). */
  readonly encryptedRoot: boolean;
  /** Why the root is encrypted, for the message. */
  readonly encryptedRootReason: string;
}

/** The deploy-time build whose AMI the exports copy when the deployment makes it. */
export interface DeployTimeBuild {
  /** The AMI id of the build. */
  readonly imageId: string;
  /** The image resource the exports wait for. */
  readonly image: IConstruct;
}

/**
 * S3 keys are at most 1,024 bytes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html);
 * the file name VM Import/Export adds is `export-ami-` + 17 hex digits + `.vmdk`, so the prefix
 * keeps room for it.
 */
const PREFIX_MAX = 1024 - 'export-ami-0123456789abcdef0.vmdk'.length;

/**
 * Checks the exports at synth: everything VM Import/Export would only refuse once the image is
 * built. Facts from "Considerations for image export"
 * (https://docs.aws.amazon.com/vm-import/latest/userguide/limits-image-export.html):
 * - an image with encrypted EBS snapshots cannot be exported;
 * - images with third-party software provided by AWS cannot be exported: Windows and SQL
 *   Server images, and images made from an AWS Marketplace image;
 * - the bucket must be in the same account;
 * - the bucket must be unencrypted or encrypted with SSE-S3 ("You cannot export to an S3 bucket
 *   encrypted using SSE-KMS encryption"); DSSE-KMS is not among the two the page allows either.
 * A Marketplace parent or one with billing codes is not knowable at synth for an AMI given by
 * id: ExportImage then fails and the deployment reports its message.
 */
export function checkVmExports(scope: IConstruct, exports: VmExport[], context: VmExportContext): void {
  if (exports.length === 0) {
    return;
  }
  if (context.osFamily === OsFamily.WINDOWS) {
    invalidProp(scope, 'vmExports', `${exports.length} export(s)`, 'VM Import/Export does not export Windows images built from AWS-provided Windows AMIs (they carry AWS-provided licences)',
      'Remove vmExports; a Windows image you imported yourself under BYOL can be exported with `aws ec2 export-image`');
  }
  if (context.encryptedRoot) {
    invalidProp(scope, 'vmExports', `${exports.length} export(s)`, `VM Import/Export cannot export an AMI whose EBS snapshots are encrypted, and ${context.encryptedRootReason}`,
      'Set rootVolume: { encrypted: false } on this image, and build it from an unencrypted parent (a golden parent with rootVolume.encrypted false, or the same parent and provisioners as the image you launch)');
  }
  const stack = Stack.of(scope);
  const seen = new Map<string, number>();
  exports.forEach((vmExport, index) => {
    const prop = `vmExports[${index}]`;
    const bucketRegion = vmExport.bucket.env.region;
    if (!Token.isUnresolved(bucketRegion) && !Token.isUnresolved(stack.region) && bucketRegion !== stack.region) {
      invalidProp(scope, `${prop}.bucket`, vmExport.bucket.node.path, `the bucket is in ${bucketRegion} and the image is built in ${stack.region}; the export runs in the build region`,
        `Use a bucket in ${stack.region}`);
    }
    const bucketAccount = vmExport.bucket.env.account;
    if (!Token.isUnresolved(bucketAccount) && !Token.isUnresolved(stack.account) && bucketAccount !== stack.account) {
      invalidProp(scope, `${prop}.bucket`, vmExport.bucket.node.path, `VM Import/Export exports only to a bucket in the AMI's own account (${stack.account}), and this one is in ${bucketAccount}`,
        `Use a bucket in account ${stack.account}, and copy the disk on from there`);
    }
    const kms = kmsEncryption(vmExport.bucket);
    if (kms) {
      invalidProp(scope, `${prop}.bucket`, vmExport.bucket.node.path,
        `the bucket is encrypted with ${kms}, and VM Import/Export exports only to an unencrypted bucket or one encrypted with SSE-S3`,
        'Use a bucket with encryption: s3.BucketEncryption.S3_MANAGED (and no encryptionKey), and copy the disk on from there if it must be kept under a KMS key');
    }
    const prefix = vmExport._prefix(context.imageName);
    checkPrefix(scope, `${prop}.prefix`, prefix);
    const key = [vmExport.bucket.node.path, prefix, vmExport.format].join('|');
    const clash = seen.get(key);
    if (clash !== undefined) {
      invalidProp(scope, prop, `${vmExport.format} to ${prefix}`, `vmExports[${clash}] writes the same format to the same bucket and prefix`, 'Remove one of the two exports');
    }
    seen.set(key, index);
  });
}

function checkPrefix(scope: IConstruct, prop: string, prefix: string): void {
  if (Token.isUnresolved(prefix)) {
    return;
  }
  const problem = prefix.length === 0 ? 'it is empty'
    : Buffer.byteLength(prefix, 'utf8') > PREFIX_MAX ? `it is longer than ${PREFIX_MAX} bytes, and the key with the file name would pass S3's 1,024`
      : prefix.startsWith('/') ? 'a key that starts with \'/\' makes an empty first folder'
        : prefix.includes('//') ? 'it holds an empty folder name (\'//\')'
          // eslint-disable-next-line no-control-regex
          : /[\u0000-\u001f\u007f]/.test(prefix) ? 'it holds control characters'
            : prefix.split('/').some(part => part === '.' || part === '..') ? 'it holds a \'.\' or \'..\' folder, which many S3 tools resolve or refuse'
              : undefined;
  if (problem) {
    invalidProp(scope, prop, prefix, problem, 'Give a prefix such as \'exports/web/\'');
  }
}

/**
 * The image's exports: the VM Import/Export service role of each, shared by every build that
 * is exported, and the deploy-time build's exports. CloudFormation's distribution
 * configuration has no S3ExportConfiguration (the API has; AWS::ImageBuilder::DistributionConfiguration
 * Distribution lists only AMI, container, fast launch, launch template, licence and SSM
 * parameter settings:
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-imagebuilder-distributionconfiguration-distribution.html,
 * and aws-cdk-lib 2.276's CfnDistributionConfiguration has none either), so every export is
 * started by EC2's ExportImage
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ExportImage.html) once the
 * build's AMI exists: for the deploy-time build from a custom resource that is replaced with
 * every bake, for pipeline bakes from a state machine an event of each build starts
 * (`exportPipelineBakes`, pipeline-bake-exports.ts). The task id names the file:
 * `<prefix>export-ami-<id>.<format>`
 * (https://docs.aws.amazon.com/vm-import/latest/userguide/start-image-export.html), so the
 * deploy-time location is known when the deployment ends; the copy itself goes on after it,
 * for as long as the disk takes (the docs give no duration; `aws ec2 describe-export-image-tasks`
 * reports progress: https://docs.aws.amazon.com/vm-import/latest/userguide/monitor-image-export.html).
 */
export class VmExports extends Construct {
  /** `s3://bucket/key` of each export's disk of the deploy-time build, in the order of the exports (none without one). */
  public readonly locations: string[];
  /** The VM Import/Export service role of each export. */
  public readonly roles: iam.IRole[];
  private pipelineBakes?: PipelineBakeExports;

  constructor(scope: Construct, id: string, private readonly exports: VmExport[], private readonly context: VmExportContext,
    deployTime?: DeployTimeBuild) {
    super(scope, id);
    // Loops, not Array.map: a resource made in a callback of Array.map shows the native frame
    // "Array.map (:)" in its creation stack trace, as if it were a line of the app.
    this.roles = [];
    this.locations = [];
    for (const [index, vmExport] of exports.entries()) {
      const prefix = vmExport._prefix(context.imageName);
      const role = vmExport._role ?? this.serviceRole(`Role${index}`, vmExport.bucket, prefix);
      grantExportWrites(role, vmExport.bucket, prefix);
      this.roles.push(role);
    }
    if (deployTime) {
      for (const [index, vmExport] of exports.entries()) {
        this.locations.push(this.exportTo(`${index}`, vmExport, this.roles[index], deployTime));
      }
    }
  }

  /**
   * Exports every bake of the image's pipelines as well (once, whichever pipeline asks first):
   * builds of the recipe `recipeName` that come from a pipeline.
   */
  public exportPipelineBakes(recipeName: string): void {
    this.pipelineBakes ??= new PipelineBakeExports(this, 'PipelineBakes', {
      recipeName,
      imageName: this.context.imageName,
      exports: this.exports.map((vmExport, index) => ({ vmExport, role: this.roles[index] })),
    });
  }

  private exportTo(id: string, vmExport: VmExport, role: iam.IRole, build: DeployTimeBuild): string {
    const prefix = vmExport._prefix(this.context.imageName);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'exportImage',
      parameters: {
        ImageId: build.imageId,
        DiskImageFormat: vmExport.format,
        S3ExportLocation: { S3Bucket: vmExport.bucket.bucketName, S3Prefix: prefix },
        RoleName: role.roleName,
        Description: exportDescription(this.context.imageName),
      },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('ExportImageTaskId'),
      outputPaths: ['ExportImageTaskId'],
    };
    const exportImage = new cr.AwsCustomResource(this, `Export${id}`, {
      // Every bake is a new image id: an update starts a new export of the new AMI.
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements(exportCallerStatements(vmExport.bucket, prefix, role)),
      installLatestAwsSdk: false,
    });
    exportImage.node.addDependency(build.image);
    exportImage.node.addDependency(role);
    suppressNagRule(exportImage.node.findChild('CustomResourcePolicy'), 'AwsSolutions-IAM5', EXPORT_CALLER_REASON,
      ['Resource::*', nagFinding(this, 'Resource', vmExport.bucket.arnForObjects(`${prefix}*`))]);
    suppressProviderFindings(Stack.of(this));
    const extension = vmExport.format.toLowerCase();
    return `s3://${vmExport.bucket.bucketName}/${prefix}${exportImage.getResponseField('ExportImageTaskId')}.${extension}`;
  }

  /**
   * The VM Import/Export service role ("vmimport"), per "Required service role"
   * (https://docs.aws.amazon.com/vm-import/latest/userguide/required-permissions.html#vmimport-role),
   * line by line:
   * - trust: the service principal vmie.amazonaws.com may sts:AssumeRole when `sts:Externalid`
   *   equals `vmimport` (the page's trust policy, condition key spelled as there), and, as the
   *   page's step 7 adds "for additional security controls", only for this account
   *   (`aws:SourceAccount`) and VM Import/Export's tasks in it (`aws:SourceArn`
   *   `arn:<partition>:vmie:*:<account>:*`; the page writes `arn:aws`);
   * - bucket: s3:GetBucketLocation, s3:GetBucketAcl and s3:ListBucket on the export bucket
   *   (grantExportWrites);
   * - objects: s3:GetObject and s3:PutObject, which the page grants on `<bucket>/*` and this
   *   role on `<bucket>/<prefix>*`, where the disk is written, and on the write check's object
   *   (grantExportWrites);
   * - EC2: ec2:CopySnapshot, ec2:ModifySnapshotAttribute, ec2:RegisterImage and ec2:Describe*
   *   on any resource, as the page has them (the snapshots it copies are unknown beforehand).
   * No KMS statement: the page's is for imports, and an export can use neither encrypted
   * snapshots nor an SSE-KMS bucket (checkVmExports).
   * The page's role name `vmimport` is ExportImage's default only: RoleName names this role.
   */
  private serviceRole(id: string, bucket: s3.IBucket, prefix: string): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: vmImportExportPrincipal(Stack.of(this)),
      description: `VM Import/Export: exports the image's AMI to s3://${Token.isUnresolved(bucket.bucketName) ? 'its bucket' : bucket.bucketName}/${prefix}`,
    });
    role.addToPolicy(new iam.PolicyStatement({
      actions: ['ec2:CopySnapshot', 'ec2:ModifySnapshotAttribute', 'ec2:RegisterImage', 'ec2:Describe*'],
      resources: ['*'],
    }));
    suppressNagRule(role.node.findChild('DefaultPolicy'), 'AwsSolutions-IAM5', 'the EC2 actions of the VM Import/Export service role, as AWS documents them: the snapshots and images it copies and registers are its own, unknown beforehand',
      ['Action::ec2:Describe*', 'Resource::*']);
    return role;
  }
}

/** VM Import/Export, as the documented trust policy lets it assume the service role of this stack's account. */
function vmImportExportPrincipal(stack: Stack): iam.IPrincipal {
  return new iam.ServicePrincipal('vmie.amazonaws.com').withConditions({
    StringEquals: { 'sts:Externalid': 'vmimport', 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:vmie:*:${stack.account}:*` },
  });
}

/**
 * The object an export writes at the root of the bucket to check that it may write, before the
 * disk. The VM Import/Export docs are silent on it (they name only the disk's key); exports
 * under a prefix have been seen to leave `vmimportexport_write_verification` (and a `.txt`
 * of that name) at the root. Safe side: the role may write that one name, so the check cannot
 * fail an export the documented policy (objects `<bucket>/*`) would let through.
 */
const WRITE_CHECK_OBJECT = 'vmimportexport_write_verification*';

/** What the export needs on the bucket: its location and ACL, and reading and writing under the prefix. */
function grantExportWrites(role: iam.IRole, bucket: s3.IBucket, prefix: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetBucketLocation', 's3:GetBucketAcl', 's3:ListBucket'],
    resources: [bucket.bucketArn],
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:PutObject'],
    resources: [bucket.arnForObjects(`${prefix}*`), bucket.arnForObjects(WRITE_CHECK_OBJECT)],
  }));
  const policy = role instanceof iam.Role ? role.node.tryFindChild('DefaultPolicy') : undefined;
  if (policy) {
    suppressNagRule(policy, 'AwsSolutions-IAM5', 'the export writes one object whose name VM Import/Export chooses (export-ami-<id>.<format>) under the prefix, and its write check at the root',
      [nagFinding(role, 'Resource', bucket.arnForObjects(`${prefix}*`)), nagFinding(role, 'Resource', bucket.arnForObjects(WRITE_CHECK_OBJECT))]);
  }
}

/** The AwsCustomResource provider is one Lambda per stack; its findings are AWS's design. */
export function suppressProviderFindings(stack: Stack): void {
  const provider = stack.node.tryFindChild(`AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  if (provider) {
    suppressNagRule(provider.node.findChild('ServiceRole'), 'AwsSolutions-IAM4', 'the AwsCustomResource provider of aws-cdk-lib runs with AWSLambdaBasicExecutionRole (its logs only)',
      ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']);
    suppressNagRule(provider, 'AwsSolutions-L1', 'the AwsCustomResource provider\'s runtime is chosen by aws-cdk-lib');
  }
}
