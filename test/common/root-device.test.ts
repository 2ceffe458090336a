import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentImage, GoldenImage, ImmutableDeployment, OsFamily, ParentImage, Provisioner } from '../../src';
import { defaultRootDeviceName } from '../../src/common/root-device';
import { listManagedParentImages } from '../../src/image/managed-parent-images';
import { baseProps, ENV, newStack } from '../deployment/deployment-fixtures';

describe('root device names: one source per parent', () => {
  test('an AMI the library knows nothing about: /dev/xvda on Linux, /dev/sda1 on Windows', () => {
    expect(defaultRootDeviceName(OsFamily.LINUX)).toBe('/dev/xvda');
    expect(defaultRootDeviceName(OsFamily.WINDOWS)).toBe('/dev/sda1');
  });

  test('ParentImage and DeploymentImage take the same default for an AMI id', () => {
    const stack = new Stack(undefined, 'S', { env: ENV });
    for (const osFamily of [OsFamily.LINUX, OsFamily.WINDOWS]) {
      const parent = ParentImage.fromAmiId('ami-0123456789abcdef0', { osFamily }).bind(stack);
      const deployed = DeploymentImage.fromAmiId('ami-0123456789abcdef0', { osFamily })._bind(stack);
      expect(parent.rootDeviceName).toBe(defaultRootDeviceName(osFamily));
      expect(deployed.rootDeviceName).toBe(parent.rootDeviceName);
    }
  });

  test('Debian\'s AMIs register their root as /dev/xvda (debian-cloud-images), Ubuntu\'s as /dev/sda1', () => {
    const byDistribution = new Map(listManagedParentImages().map(p => [p.distribution, p.rootDeviceName]));
    expect(byDistribution.get('DEBIAN')).toBe('/dev/xvda');
    expect(byDistribution.get('UBUNTU')).toBe('/dev/sda1');
  });

  test('a Debian golden image maps the same root device in its recipe and in the fleet\'s launch template', () => {
    const { stack, vpc } = newStack({ env: ENV });
    const image = new GoldenImage(stack, 'Image', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.shell({ name: 'nginx', commands: ['apt-get install -y nginx'] })],
    });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromGoldenImage(image) }));
    const template = Template.fromStack(stack);
    const recipe = Object.values<any>(template.findResources('AWS::ImageBuilder::ImageRecipe'))[0];
    const launchTemplate = Object.values<any>(template.findResources('AWS::EC2::LaunchTemplate'))[0];
    expect(recipe.Properties.BlockDeviceMappings.map((m: any) => m.DeviceName)).toEqual(['/dev/xvda']);
    expect(launchTemplate.Properties.LaunchTemplateData.BlockDeviceMappings.map((m: any) => m.DeviceName)).toEqual(['/dev/xvda']);
  });

  test('no doc comment in the library says Debian AMIs use /dev/sda1', () => {
    const sources: string[] = [];
    const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach(e => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(full);
      } else if (full.endsWith('.ts')) {
        sources.push(full);
      }
    });
    walk(path.join(__dirname, '..', '..', 'src'));
    const claims = sources.flatMap(file => fs.readFileSync(file, 'utf8').split('\n')
      .filter(line => /Debian[^;,()]*\buses?\s+'?\/dev\/sda1/.test(line))
      .map(line => `${path.relative(process.cwd(), file)}: ${line.trim()}`));
    expect(claims).toEqual([]);
  });

  test('an arm64 parent needs an arm64 instance type in the fleet as well', () => {
    const { stack, vpc } = newStack({ env: ENV });
    const image = new GoldenImage(stack, 'Image', {
      parentImage: ParentImage.debian({ release: '12', architecture: ec2.InstanceArchitecture.ARM_64 }),
      provisioners: [Provisioner.shell({ name: 'nginx', commands: ['apt-get install -y nginx'] })],
    });
    expect(() => new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromGoldenImage(image) })))
      .toThrow(/invalid instanceType 't3.small'.*arm64/);
  });
});
