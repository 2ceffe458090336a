import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DiskFormat, GoldenImage, GoldenImageProps, OsFamily, ParentImage, Provisioner, VmExport, VmExportOptions } from '../../src';
import { ENV, errorOf, imageStack, onlyResource, resourcesOf } from '../support/stacks';

/** An unencrypted image exporting to a bucket of its own stack. */
function exportStack(options: VmExportOptions = {}, bucketProps: s3.BucketProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'Bake', { env: ENV });
  const bucket = new s3.Bucket(stack, 'Disks', bucketProps);
  const image = new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx'] })],
    rootVolume: { encrypted: false },
    vmExports: [VmExport.toBucket(bucket, options)],
  });
  return { stack, bucket, image, template: Template.fromStack(stack) };
}

/**
 * The Custom::AWS resource's SDK call, parsed: the template holds it as JSON text joined with
 * CloudFormation references, each shown here as `Ref:<id>` or `GetAtt:<id>.<attribute>`.
 */
function sdkCall(template: Template): any {
  const update = onlyResource(template, 'Custom::AWS').props.Update;
  const parts: unknown[] = typeof update === 'string' ? [update] : update['Fn::Join'][1];
  const text = parts.map(part => typeof part === 'string' ? part
    : (part as any).Ref ? `Ref:${(part as any).Ref}` : `GetAtt:${(part as any)['Fn::GetAtt'].join('.')}`).join('');
  return JSON.parse(text);
}

describe('a deploy-time build exported as a VM disk', () => {
  test('ExportImage is called with the built AMI, the format, the bucket, the prefix and the service role, after the image exists', () => {
    const { template } = exportStack({ format: DiskFormat.VMDK, prefix: 'exports/web/' });
    const image = resourcesOf(template, 'AWS::ImageBuilder::Image')[0].id;
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[0].id;
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie'))!.id;
    expect(sdkCall(template)).toEqual({
      service: 'EC2',
      action: 'exportImage',
      parameters: {
        ImageId: `GetAtt:${image}.ImageId`,
        DiskImageFormat: 'VMDK',
        S3ExportLocation: { S3Bucket: `Ref:${bucket}`, S3Prefix: 'exports/web/' },
        RoleName: `Ref:${role}`,
        Description: expect.stringMatching(/^bake-webimage-[0-9a-f]+ \(cdk-immutable-infra\)$/),
      },
      physicalResourceId: { responsePath: 'ExportImageTaskId' },
      outputPaths: ['ExportImageTaskId'],
    });
    const exportResource = Object.values(template.findResources('Custom::AWS'))[0] as any;
    expect(exportResource.DependsOn).toEqual(expect.arrayContaining([image]));
  });

  test('the service role is VM Import/Export\'s: vmie.amazonaws.com with the vmimport external id, S3 writes only under the prefix', () => {
    const { template } = exportStack({ prefix: 'exports/web/' });
    const roles = resourcesOf(template, 'AWS::IAM::Role').filter(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie.amazonaws.com'));
    expect(roles).toHaveLength(1);
    expect(roles[0].props.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'sts:Externalid': 'vmimport', 'aws:SourceAccount': ENV.account },
        ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:vmie:*:${ENV.account}:*`]] } },
      },
      Effect: 'Allow',
      Principal: { Service: 'vmie.amazonaws.com' },
    }]);
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => JSON.stringify(p.props.Roles).includes(roles[0].id))!;
    const statements = policy.props.PolicyDocument.Statement as any[];
    const objects = statements.find(s => JSON.stringify(s.Action).includes('s3:PutObject'));
    expect(objects.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    // The disk under the prefix, and the write check's one object at the root: nothing else.
    expect(objects.Resource).toHaveLength(2);
    expect(JSON.stringify(objects.Resource[0])).toContain('/exports/web/*');
    expect(JSON.stringify(objects.Resource[1])).toMatch(/"\/vmimportexport_write_verification\*"\]/);
    const bucketLevel = statements.find(s => JSON.stringify(s.Action).includes('s3:GetBucketLocation'));
    expect(bucketLevel.Action).toEqual(['s3:GetBucketLocation', 's3:GetBucketAcl', 's3:ListBucket']);
    expect(statements.find(s => JSON.stringify(s.Action).includes('ec2:CopySnapshot')).Action)
      .toEqual(['ec2:CopySnapshot', 'ec2:ModifySnapshotAttribute', 'ec2:RegisterImage', 'ec2:Describe*']);
    // The call names the role by name, as ExportImage's RoleName takes it.
    expect(sdkCall(template).parameters.RoleName).toBe(`Ref:${roles[0].id}`);
  });

  test('the exported disk\'s location is the documented key: prefix, the task id, the format as extension', () => {
    const { stack, image } = exportStack({ format: DiskFormat.VHD, prefix: 'exports/web/' });
    expect(image.exportedDiskLocations).toHaveLength(1);
    const resolved = JSON.stringify(stack.resolve(image.exportedDiskLocations[0]));
    expect(resolved).toMatch(/"s3:\/\/",\{"Ref":"Disks[0-9A-F]+"\},"\/exports\/web\/",\{"Fn::GetAtt":\["WebImageVmExportsExport0[0-9A-F]+","ExportImageTaskId"\]\},"\.vhd"/);
  });

  test('the default prefix is the image\'s name and the default format VMDK', () => {
    const { template, image } = exportStack();
    expect(sdkCall(template).parameters.S3ExportLocation.S3Prefix).toBe(`${image.imageName}/`);
    expect(sdkCall(template).parameters.DiskImageFormat).toBe('VMDK');
  });

  test('a role of the user\'s is used and granted the bucket, and no role is created', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const bucket = new s3.Bucket(stack, 'Disks');
    const role = new iam.Role(stack, 'MyVmImport', { assumedBy: new iam.ServicePrincipal('vmie.amazonaws.com') });
    new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.updateOs()],
      rootVolume: { encrypted: false },
      vmExports: [VmExport.toBucket(bucket, { role })],
    });
    const template = Template.fromStack(stack);
    expect(resourcesOf(template, 'AWS::IAM::Role').filter(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie'))).toHaveLength(1);
    const roleId = stack.getLogicalId(role.node.defaultChild as iam.CfnRole);
    expect(sdkCall(template).parameters.RoleName).toBe(`Ref:${roleId}`);
    const policy = resourcesOf(template, 'AWS::IAM::Policy').find(p => JSON.stringify(p.props.Roles).includes(roleId))!;
    expect(JSON.stringify(policy.props.PolicyDocument)).toContain('s3:PutObject');
  });

  test('the caller of ExportImage may pass the service role, to VM Import/Export only', () => {
    const { template } = exportStack();
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie'))!;
    const caller = resourcesOf(template, 'AWS::IAM::Policy').find(p => JSON.stringify(p.props.PolicyDocument).includes('ec2:ExportImage'))!;
    const passRole = (caller.props.PolicyDocument.Statement as any[]).find(s => s.Action === 'iam:PassRole');
    expect(passRole).toEqual({
      Action: 'iam:PassRole',
      Condition: { StringEquals: { 'iam:PassedToService': 'vmie.amazonaws.com' } },
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [role.id, 'Arn'] },
    });
  });

  test('no export, no custom resource and no service role', () => {
    const { stack } = imageStack();
    const template = Template.fromStack(stack);
    expect(resourcesOf(template, 'Custom::AWS')).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain('vmie.amazonaws.com');
  });
});

/**
 * A Debian image in a fresh stack exporting to the buckets `exports` makes there; `props` win
 * (the root is unencrypted unless they say otherwise).
 */
function debianImage(exports: (stack: Stack) => VmExport[], props: Partial<GoldenImageProps> = {}, id = 'WebImage'): { stack: Stack; image: GoldenImage } {
  const stack = new Stack(new App(), 'Bake', { env: ENV });
  const image = new GoldenImage(stack, id, {
    parentImage: ParentImage.debian({ release: '12' }),
    provisioners: [Provisioner.updateOs()],
    rootVolume: { encrypted: false },
    vmExports: exports(stack),
    ...props,
  });
  return { stack, image };
}

const toNewBucket = (stack: Stack) => [VmExport.toBucket(new s3.Bucket(stack, 'Disks'))];

describe('exports VM Import/Export would refuse are refused at synth', () => {
  test('an encrypted root (the default) names the prop and the fix', () => {
    const message = errorOf(() => debianImage(toNewBucket, { rootVolume: undefined }));
    expect(message).toMatch(/^Bake\/WebImage: invalid vmExports '1 export\(s\)': VM Import\/Export cannot export an AMI whose EBS snapshots are encrypted, and this image's root volume is encrypted/);
    expect(message).toContain('Set rootVolume: { encrypted: false }');
  });

  test('a parent golden image with an encrypted root', () => {
    const message = errorOf(() => {
      const stack = new Stack(new App(), 'Bake', { env: ENV });
      const web = new GoldenImage(stack, 'Web', { parentImage: ParentImage.debian({ release: '12' }), provisioners: [Provisioner.updateOs()] });
      new GoldenImage(stack, 'Variant', {
        parentImage: ParentImage.fromGoldenImage(web),
        provisioners: [Provisioner.vagrantGuest()],
        rootVolume: { encrypted: false },
        vmExports: toNewBucket(stack),
      });
    });
    expect(message).toMatch(/^Bake\/Variant: invalid vmExports .*the parent golden image's root snapshot is encrypted/);
  });

  test('Windows', () => {
    const message = errorOf(() => debianImage(toNewBucket, {
      parentImage: ParentImage.fromAmiId('ami-0123456789abcdef0', { osFamily: OsFamily.WINDOWS }),
      provisioners: [Provisioner.powerShell({ commands: ['Write-Output hi'] })],
    }, 'Win'));
    expect(message).toMatch(/^Bake\/Win: invalid vmExports .*does not export Windows images/);
    expect(message).toContain('Remove vmExports');
  });

  test('a bucket in another region, with path, prop and fix', () => {
    const message = errorOf(() => debianImage(stack => [VmExport.toBucket(s3.Bucket.fromBucketAttributes(stack, 'Other', { bucketName: 'disks', region: 'us-east-1' }))]));
    expect(message).toBe('Bake/WebImage: invalid vmExports[0].bucket \'Bake/Other\': the bucket is in us-east-1 and the image is built in eu-west-1; the export runs in the build region. Use a bucket in eu-west-1');
  });

  test.each([
    ['a customer key', (stack: Stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }), /SSE-KMS \(the key Bake\/Key\)/],
    ['the AWS-managed key', () => ({ encryption: s3.BucketEncryption.KMS_MANAGED }), /SSE-KMS \(aws:kms\)/],
    ['DSSE-KMS', () => ({ encryption: s3.BucketEncryption.DSSE_MANAGED }), /DSSE-KMS \(aws:kms:dsse\)/],
  ])('a bucket encrypted with %s', (_, props, kind) => {
    const message = errorOf(() => debianImage(stack => [VmExport.toBucket(new s3.Bucket(stack, 'Disks', props(stack)))]));
    expect(message).toMatch(/^Bake\/WebImage: invalid vmExports\[0\]\.bucket 'Bake\/Disks': the bucket is encrypted with /);
    expect(message).toMatch(kind);
    expect(message).toContain('VM Import/Export exports only to an unencrypted bucket or one encrypted with SSE-S3');
    expect(message).toContain('s3.BucketEncryption.S3_MANAGED');
  });

  test('a bucket encrypted with SSE-S3 (the default) and an imported bucket without a key are taken', () => {
    expect(() => debianImage(stack => [VmExport.toBucket(new s3.Bucket(stack, 'Disks', { encryption: s3.BucketEncryption.S3_MANAGED }))])).not.toThrow();
    expect(() => debianImage(stack => [VmExport.toBucket(s3.Bucket.fromBucketName(stack, 'Disks', 'disks'))])).not.toThrow();
  });

  test('a bucket in another account', () => {
    const message = errorOf(() => debianImage(stack => [VmExport.toBucket(s3.Bucket.fromBucketAttributes(stack, 'Other', { bucketName: 'disks', account: '210987654321' }))]));
    expect(message).toMatch(/invalid vmExports\[0\]\.bucket 'Bake\/Other': VM Import\/Export exports only to a bucket in the AMI's own account/);
  });

  test.each([
    ['/exports/', 'a key that starts with \'/\''],
    ['exports//web/', 'an empty folder name'],
    ['exports/../web/', '\'..\' folder'],
    ['exp\u0001orts/', 'control characters'],
    ['', 'it is empty'],
    ['x'.repeat(1000), 'longer than'],
  ])('the prefix %j', (prefix, problem) => {
    const message = errorOf(() => exportStack({ prefix }));
    expect(message).toMatch(/^Bake\/WebImage: invalid vmExports\[0\]\.prefix /);
    expect(message).toContain(problem);
    expect(message).toContain('Give a prefix such as \'exports/web/\'');
  });

  test('the same format twice to the same place', () => {
    const message = errorOf(() => debianImage(stack => {
      const bucket = new s3.Bucket(stack, 'Disks');
      return [VmExport.toBucket(bucket), VmExport.toBucket(bucket, { format: DiskFormat.VMDK })];
    }));
    expect(message).toMatch(/invalid vmExports\[1\] 'VMDK to .*': vmExports\[0\] writes the same format to the same bucket and prefix/);
  });

  test('two formats are two exports, each with its own task and location', () => {
    const { stack, image } = debianImage(bake => {
      const bucket = new s3.Bucket(bake, 'Disks');
      return [VmExport.toBucket(bucket), VmExport.toBucket(bucket, { format: DiskFormat.RAW })];
    });
    expect(resourcesOf(Template.fromStack(stack), 'Custom::AWS')).toHaveLength(2);
    expect(JSON.stringify(stack.resolve(image.exportedDiskLocations[1]))).toContain('".raw"');
  });
});
