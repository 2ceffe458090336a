import { Token } from 'aws-cdk-lib';
import { kindTestBed } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { ExistingComponent, ExistingComponentOptions } from '../../src/provisioning/existing-component';

function bindExisting(arn: string, options: ExistingComponentOptions, osFamily = OsFamily.LINUX) {
  const bed = kindTestBed({ osFamily, defaultName: 'component-3' });
  return new ExistingComponent(arn, options).bind(bed.context);
}

describe('Provisioner.fromComponentArn', () => {
  const ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:component/harden-linux/1.2.0/1';

  test('the ARN is the identity; the platform is the one given', () => {
    expect(bindExisting(ARN, { platform: OsFamily.LINUX, parameters: { Level: 'high' } })).toEqual({
      name: 'component-3',
      platform: OsFamily.LINUX,
      componentArn: ARN,
      componentIdentity: ARN,
      parameters: { Level: 'high' },
    });
  });

  test.each([
    'arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x',
    'arn:aws-us-gov:imagebuilder:us-gov-west-1:123456789012:component/my_component/2.x.x',
    'arn:aws-cn:imagebuilder:cn-north-1:123456789012:component/c/1.0.0',
  ])('%p is accepted', arn => {
    expect(bindExisting(arn, { platform: OsFamily.LINUX }).componentArn).toBe(arn);
  });

  test.each([
    'arn:aws:imagebuilder:eu-west-1:123456789012:image-recipe/web/1.0.0',
    'arn:aws:imagebuilder:eu-west-1:123456789012:component/web',
    'harden-linux',
  ])('%p is not a component ARN', arn => {
    expect(() => bindExisting(arn, { platform: OsFamily.LINUX })).toThrow(/not an Image Builder component ARN/);
  });

  test('a token ARN is refused with the reason', () => {
    expect(() => bindExisting(Token.asString({ 'Fn::GetAtt': ['Component', 'Arn'] }), { platform: OsFamily.LINUX }))
      .toThrow(/invalid provisioners\[0\] \(a token\): the component ARN must be known at synth time/);
  });

  test('a platform that does not match the image is refused', () => {
    expect(() => bindExisting(ARN, { platform: OsFamily.WINDOWS }))
      .toThrow(/invalid provisioners\[0\]\.platform 'Windows': the component is for Windows and the parent image is Linux/);
  });
});
