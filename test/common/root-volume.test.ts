import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { recipeBlockDevice, rootVolume } from '../../src/common/root-volume';
import { rootBlockDevice } from '../../src/deployment/root-block-device';
import { ENV, errorOf } from '../support/stacks';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const IMAGE = { defaultDeviceName: '/dev/xvda', snapshotSizeGiB: 8, imageName: 'the parent image\'s' };

function newStack(): Stack {
  return new Stack(new App(), 'Volumes', { env: ENV });
}

describe('rootVolume', () => {
  test('defaults: encrypted gp3 on the image\'s root device, the snapshot\'s size', () => {
    expect(rootVolume(newStack(), {}, IMAGE)).toEqual({
      deviceName: '/dev/xvda',
      encrypted: true,
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      sizeGiB: undefined,
      iops: undefined,
      throughput: undefined,
      kmsKey: undefined,
      kmsKeyIdentity: undefined,
    });
  });

  test.each([
    [{ sizeGiB: 10.5 }, /^Volumes: invalid rootVolume\.sizeGiB 10\.5: an EBS volume is a whole number of GiB from 1 to 65536\. Give a whole number of GiB, or leave it unset to keep the parent image's size$/],
    [{ sizeGiB: 4 }, /invalid rootVolume\.sizeGiB 4: the parent image's root snapshot is 8 GiB .*Give at least 8/],
    [{ deviceName: 'xvda' }, /invalid rootVolume\.deviceName 'xvda': a root device name is a path under \/dev\/\. Give the AMI's root device name/],
  ])('%p is refused with the prop, the value and the fix', (options, message) => {
    expect(errorOf(() => rootVolume(newStack(), options, IMAGE))).toMatch(message);
  });

  test('a key for an unencrypted volume is refused; an unencrypted volume warns', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    expect(errorOf(() => rootVolume(stack, { encrypted: false, kmsKey: key }, IMAGE))).toMatch(/invalid rootVolume\.encrypted false: a KMS key was given for an unencrypted volume/);
    rootVolume(stack, { encrypted: false }, IMAGE);
    Annotations.fromStack(stack).hasWarning('/Volumes', Match.stringLikeRegexp('rootVolume.encrypted is false'));
  });

  test('a key of this app is identified by its path, an imported key by its ARN: the same identity for images and deployments', () => {
    const stack = newStack();
    const own = new kms.Key(stack, 'Own');
    const imported = kms.Key.fromKeyArn(stack, 'Imported', KEY_ARN);
    expect(rootVolume(stack, { kmsKey: own }, IMAGE).kmsKeyIdentity).toBe('construct:Volumes/Own');
    const importedIdentity = rootVolume(stack, { kmsKey: imported }, IMAGE).kmsKeyIdentity;
    expect(importedIdentity).toBe(JSON.stringify(KEY_ARN));
    expect(rootBlockDevice(stack, { kmsKey: imported }, '/dev/xvda').identity).toMatchObject({ kmsKey: importedIdentity });
    expect(recipeBlockDevice(rootVolume(stack, { kmsKey: imported }, IMAGE)).identity).toMatchObject({ kmsKeyId: importedIdentity });
  });
});

describe('renderings', () => {
  test('a recipe maps the key by ARN and gives only the settings set', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', KEY_ARN);
    const { mapping } = recipeBlockDevice(rootVolume(stack, { sizeGiB: 30, throughput: 250, kmsKey: key }, IMAGE));
    expect(stack.resolve(mapping)).toEqual({
      deviceName: '/dev/xvda',
      ebs: { encrypted: true, deleteOnTermination: true, volumeType: 'gp3', volumeSize: 30, throughput: 250, kmsKeyId: KEY_ARN },
    });
  });

  test('a launch template\'s root is always encrypted, on the given device, with the key itself', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', KEY_ARN);
    const { blockDevice, identity } = rootBlockDevice(stack, { volumeType: ec2.EbsDeviceVolumeType.IO2, iops: 4000, kmsKey: key, deviceName: '/dev/sda1' }, '/dev/xvda');
    expect(blockDevice.deviceName).toBe('/dev/sda1');
    expect(blockDevice.volume.ebsDevice).toMatchObject({ encrypted: true, deleteOnTermination: true, volumeType: 'io2', iops: 4000, kmsKey: key });
    expect(blockDevice.volume.ebsDevice).not.toHaveProperty('volumeSize');
    expect(identity).toEqual({ deviceName: '/dev/sda1', volumeType: 'io2', size: undefined, iops: 4000, throughput: undefined, kmsKey: JSON.stringify(KEY_ARN) });
  });
});
