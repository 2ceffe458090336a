import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentImage, GoldenImage, ImmutableDeployment, OsFamily, ParentImage, Provisioner } from '../../src';
import { listManagedParentImages } from '../../src/common/managed-parent-images';
import { defaultRootDeviceName } from '../../src/common/root-device';
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

  describe('a guessed root device says so', () => {
    const AMI = 'ami-0123456789abcdef0';
    const guessed = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('knows nothing about, so its root device'))
      .map(w => `${w.id}: ${String(w.entry.data)}`);
    const image = (parentImage: ParentImage, rootVolume?: { deviceName: string }) => {
      const stack = new Stack(undefined, 'S', { env: ENV });
      const built = new GoldenImage(stack, 'Image', {
        parentImage,
        rootVolume,
        provisioners: [Provisioner.shell({ name: 'nginx', commands: ['echo'] })],
      });
      const recipe = Object.values<any>(Template.fromStack(stack).findResources('AWS::ImageBuilder::ImageRecipe'))[0];
      return { stack, image: built, devices: recipe.Properties.BlockDeviceMappings.map((m: any) => m.DeviceName) };
    };

    test('a Linux AMI by id: the image warns, naming the guess and the fix', () => {
      const { stack, devices } = image(ParentImage.fromAmiId(AMI));
      expect(devices).toEqual(['/dev/xvda']);
      expect(guessed(stack)).toEqual([
        '/S/Image: the parent image is an AMI the library knows nothing about, so its root device is taken to be /dev/xvda, as on Amazon Linux and Debian; '
        + 'other AMIs, Ubuntu\'s among them, have /dev/sda1, and under a wrong name the root volume settings (encryption, size, type) go to an extra, '
        + 'empty volume and the real root keeps the AMI\'s. Give the parent\'s rootDeviceName (for example ParentImage.fromAmiId(id, { rootDeviceName: '
        + '\'/dev/sda1\' })), or rootVolume.deviceName [ack: cdk-immutable-infra:rootDeviceAssumed]',
      ]);
    });

    test('a named device, on the parent or on the root volume, and a Windows AMI are not guesses', () => {
      expect(guessed(image(ParentImage.fromAmiId(AMI, { rootDeviceName: '/dev/sda1' })).stack)).toEqual([]);
      const named = image(ParentImage.fromAmiId(AMI), { deviceName: '/dev/sda1' });
      expect(named.devices).toEqual(['/dev/sda1']);
      expect(guessed(named.stack)).toEqual([]);
      const windows = new Stack(undefined, 'W', { env: ENV });
      new GoldenImage(windows, 'Image', {
        parentImage: ParentImage.fromAmiId(AMI, { osFamily: OsFamily.WINDOWS }),
        provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
      });
      expect(guessed(windows)).toEqual([]);
    });

    test('a public SSM parameter of a parent the library names: its root device, OS and architecture, no guess', () => {
      for (const known of listManagedParentImages().filter(p => p.ssmParameter !== undefined)) {
        const parent = ParentImage.fromSsmParameter(known.ssmParameter!).bind(new Stack(undefined, 'S', { env: ENV }));
        expect({ id: known.id, root: parent.rootDeviceName, os: parent.osFamily, arch: parent.architecture, assumed: parent.rootDeviceNameAssumed })
          .toEqual({ id: known.id, root: known.rootDeviceName, os: known.osFamily === 'WINDOWS' ? OsFamily.WINDOWS : OsFamily.LINUX, arch: known.architecture, assumed: undefined });
      }
      const ubuntu = listManagedParentImages().find(p => p.distribution === 'UBUNTU' && p.architecture === 'x86_64' && p.ssmParameter)!;
      const { stack, devices } = image(ParentImage.fromSsmParameter(ubuntu.ssmParameter!));
      expect(devices).toEqual(['/dev/sda1']);
      expect(guessed(stack)).toEqual([]);
      // Before, this was /dev/xvda: the root volume settings went to an extra volume of an Ubuntu AMI.
    });

    test('a parameter the library does not know is a guess, and what the user gives wins', () => {
      expect(guessed(image(ParentImage.fromSsmParameter('/golden/base/ami-id')).stack)).toHaveLength(1);
      const al2023 = listManagedParentImages().find(p => p.distribution === 'AMAZON_LINUX_2023' && p.architecture === 'x86_64')!;
      expect(ParentImage.fromSsmParameter(al2023.ssmParameter!, { rootDeviceName: '/dev/nvme0n1' }).bind(new Stack()).rootDeviceName).toBe('/dev/nvme0n1');
    });

    test('a lookup among owners the table knows (Canonical, Debian) takes their root device; any other lookup is a guess', () => {
      const lookup = (owners: string[]) => image(ParentImage.lookup({ name: 'some-image-*', owners }));
      const canonical = lookup(['099720109477']);
      expect(canonical.devices).toEqual(['/dev/sda1']);
      expect(guessed(canonical.stack)).toEqual([]);
      const debian = lookup(['136693071363']);
      expect(debian.devices).toEqual(['/dev/xvda']);
      expect(guessed(debian.stack)).toEqual([]);
      // Owners whose images differ, or that the table does not know, leave the device a guess.
      expect(guessed(lookup(['099720109477', '136693071363']).stack)).toHaveLength(1);
      expect(guessed(lookup(['amazon']).stack)).toHaveLength(1);
      expect(guessed(lookup(['123456789012']).stack)).toHaveLength(1);
    });

    test('a deployment of an AMI by id warns alike, unless the device is named', () => {
      const deployed = (options: { rootDeviceName?: string }, rootVolume?: { deviceName: string }) => {
        const { stack, vpc } = newStack({ env: ENV });
        new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromAmiId(AMI, options), rootVolume }));
        return guessed(stack);
      };
      expect(deployed({})).toEqual([expect.stringMatching(/^\/Stack\/Web: image: DeploymentImage\.fromAmiId\(\) is an AMI the library knows nothing about, so its root device is taken to be \/dev\/xvda.*Give its rootDeviceName/)]);
      expect(deployed({ rootDeviceName: '/dev/sda1' })).toEqual([]);
      expect(deployed({}, { deviceName: '/dev/sda1' })).toEqual([]);
    });

    test('a deployment of a public parameter\'s AMI takes the parent\'s root device and OS; another parameter is a guess', () => {
      const lookedUp = (parameterName: string) => {
        const { stack, vpc } = newStack({ env: ENV });
        new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromSsmParameterLookup(parameterName) }));
        const launchTemplate = Object.values<any>(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate'))[0];
        return { warnings: guessed(stack), devices: launchTemplate.Properties.LaunchTemplateData.BlockDeviceMappings.map((m: any) => m.DeviceName) };
      };
      const ubuntu = listManagedParentImages().find(p => p.distribution === 'UBUNTU' && p.architecture === 'x86_64' && p.ssmParameter)!;
      expect(lookedUp(ubuntu.ssmParameter!)).toEqual({ warnings: [], devices: ['/dev/sda1'] });
      const windows = listManagedParentImages().find(p => p.osFamily === 'WINDOWS' && p.ssmParameter)!;
      expect(DeploymentImage.fromSsmParameterLookup(windows.ssmParameter!)._bind(new Stack(undefined, 'W', { env: ENV })))
        .toMatchObject({ osFamily: OsFamily.WINDOWS, rootDeviceName: '/dev/sda1' });
      const custom = lookedUp('/golden/web/ami-id');
      expect(custom.devices).toEqual(['/dev/xvda']);
      expect(custom.warnings).toHaveLength(1);
    });
  });
});
