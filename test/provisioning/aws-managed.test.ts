import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EXAMPLE_ACCESS_KEY_ID, kindTestBed } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { AwsManagedComponent, AwsManagedComponentOptions } from '../../src/provisioning/aws-managed';
import { AWS_MANAGED_COMPONENTS } from '../../src/provisioning/aws-managed-components';

function bindManaged(name: string, options: AwsManagedComponentOptions = {}, osFamily = OsFamily.LINUX) {
  const bed = kindTestBed({ osFamily, defaultName: 'aws-managed-2' });
  return { ...bed, bound: new AwsManagedComponent(name, options).bind(bed.context) };
}

describe('Provisioner.awsManaged', () => {
  test('the ARN uses the stack\'s partition and region and the latest version by default', () => {
    const { bound, stack } = bindManaged('aws-cli-version-2-linux');
    expect(bound).toMatchObject({
      name: 'aws-managed-2',
      platform: OsFamily.LINUX,
      componentIdentity: 'aws-managed:aws-cli-version-2-linux/x.x.x',
    });
    expect(bound.document).toBeUndefined();
    expect(stack.resolve(bound.componentArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:aws:component/aws-cli-version-2-linux/x.x.x']],
    });
  });

  test('an environment-agnostic stack gets the region as a pseudo parameter; the identity stays a plain string', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const bound = new AwsManagedComponent('update-linux', { version: '1.0.x' }).bind({
      scope: new Construct(stack, 'Image'),
      phase: 'build',
      osFamily: OsFamily.LINUX,
      prop: 'provisioners[0]',
      defaultName: 'aws-managed-1',
      workingDirectory: '/tmp',
      scriptDirectory: '/tmp',
      assetReader: new iam.AccountRootPrincipal(),
    });
    expect(JSON.stringify(stack.resolve(bound.componentArn))).toContain('{"Ref":"AWS::Region"}');
    expect(bound.componentIdentity).toBe('aws-managed:update-linux/1.0.x');
    expect(Token.isUnresolved(bound.componentIdentity)).toBe(false);
  });

  test.each(['x.x.x', '1.x.x', '1.2.x', '1.2.3', '10.20.30'])('version %p is accepted', version => {
    expect(bindManaged('update-linux', { version }).bound.componentIdentity).toBe(`aws-managed:update-linux/${version}`);
  });

  test.each(['latest', '1.x.3', 'x.1.1', '1.2', '1.2.3.4', 'v1.2.3'])('version %p is refused', version => {
    expect(() => bindManaged('update-linux', { version }))
      .toThrow(new RegExp(`invalid provisioners\\[0\\]\\.version '${version.replace(/\./g, '\\.')}': a component version is x\\.x\\.x, N\\.x\\.x, N\\.N\\.x or N\\.N\\.N`));
  });

  test('parameters are passed through; credentials in them are refused', () => {
    expect(bindManaged('amazon-cloudwatch-agent-linux', { parameters: { Mode: 'ec2' } }).bound.parameters).toEqual({ Mode: 'ec2' });
    expect(() => bindManaged('update-linux', { parameters: { Key: EXAMPLE_ACCESS_KEY_ID } }))
      .toThrow(/provisioners\[0\]\.parameters\.Key '\(value withheld\)': the variable holds an AWS access key id/);
  });

  test('an unknown name fails with suggestions and points to fromComponentArn()', () => {
    expect(() => bindManaged('aws-cli-version2-linux'))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\] 'aws-cli-version2-linux': no Amazon-managed component of that name is known\. .*Did you mean 'aws-cli-version-2-linux'.*Provisioner\.fromComponentArn\(arn, \{ platform \}\)/);
  });

  test('suggestions are for the image\'s platform', () => {
    let message = '';
    try {
      bindManaged('aws-cli-version-2', {}, OsFamily.WINDOWS);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/Did you mean 'aws-cli-version-2-windows'/);
    expect(message).not.toMatch(/aws-cli-version-2-linux/);
  });

  test('a component for the other platform fails and names the one to use', () => {
    expect(() => bindManaged('update-windows'))
      .toThrow(/invalid provisioners\[0\] 'update-windows': 'update-windows' is a Windows component and the parent image is Linux\. Use a Linux component\. For Linux try 'update-linux'/);
    expect(() => bindManaged('update-linux', {}, OsFamily.WINDOWS)).toThrow(/is a Linux component and the parent image is Windows/);
  });

  test('a legacy name is accepted with a warning', () => {
    const legacy = AWS_MANAGED_COMPONENTS.find(c => c.legacy)!;
    expect(legacy).toBeDefined();
    const { stack } = bindManaged(legacy.name, {}, legacy.platform === 'Windows' ? OsFamily.WINDOWS : OsFamily.LINUX);
    const warnings = Annotations.fromStack(stack).findWarning('/KindTest/Image', Match.anyValue());
    expect(warnings.map(w => String(w.entry.data))).toEqual([expect.stringContaining(`'${legacy.name}' is missing from AWS's latest list`)]);
  });
});
