import {
  confirmedRootSnapshotSizeGiB,
  findManagedParent,
  findManagedParentImage,
  findManagedParentImageByImageBuilderName,
  findManagedParentImageBySsmParameter,
  isManagedParentImageId,
  listManagedParentImages,
  MANAGED_PARENT_IMAGES,
  managedImageArn,
  managedParentIds,
  ssmParentImage,
} from '../../src/common/managed-parent-images';

const all = listManagedParentImages();

describe('MANAGED_PARENT_IMAGES table', () => {
  test('each key is the entry id, made of its base id and architecture', () => {
    for (const [key, image] of Object.entries(MANAGED_PARENT_IMAGES)) {
      expect(image.id).toBe(key);
      expect(key).toBe(`${image.baseId}-${image.architecture}`);
    }
    expect(new Set(all.map((i) => i.id)).size).toBe(all.length);
  });

  test('covers the parents ParentImage offers', () => {
    for (const id of [
      'al2023-x86_64', 'al2023-arm64', 'al2-x86_64', 'al2-arm64',
      'ubuntu-22.04-x86_64', 'ubuntu-22.04-arm64', 'ubuntu-24.04-x86_64', 'ubuntu-24.04-arm64',
      'debian-12-x86_64', 'debian-12-arm64', 'debian-13-x86_64',
      'windows-2022-x86_64', 'windows-2025-core-x86_64',
    ]) {
      expect(isManagedParentImageId(id)).toBe(true);
    }
    expect(isManagedParentImageId('windows-2022-arm64')).toBe(false);
    expect(isManagedParentImageId('toString')).toBe(false);
  });

  test('managed image names and SSM parameters have the published shapes', () => {
    for (const image of all) {
      if (image.imageBuilderName !== undefined) {
        expect(image.imageBuilderName).toMatch(/^[a-z0-9-]+$/);
      }
      expect(image.ssmParameter).toMatch(/^\/aws\/service\/[A-Za-z0-9_.\-/]+$/);
      // Every entry must be reachable one way or the other.
      expect(image.imageBuilderName ?? image.ssmParameter).toBeDefined();
    }
    const imageNames = all.flatMap((i) => (i.imageBuilderName ? [i.imageBuilderName] : []));
    expect(new Set(imageNames).size).toBe(imageNames.length);
    const parameters = all.map((i) => i.ssmParameter);
    expect(new Set(parameters).size).toBe(parameters.length);
  });

  test('the Image Builder image name encodes the architecture', () => {
    for (const image of all.filter((i) => i.imageBuilderName)) {
      expect(image.imageBuilderName!.endsWith(image.architecture === 'arm64' ? '-arm64' : '-x86')).toBe(true);
    }
  });

  test('root devices follow the distribution: xvda for Amazon Linux and Debian, sda1 for Ubuntu and Windows', () => {
    for (const image of all) {
      const expected = ['AMAZON_LINUX_2023', 'AMAZON_LINUX_2', 'DEBIAN'].includes(image.distribution) ? '/dev/xvda' : '/dev/sda1';
      expect([image.id, image.rootDeviceName]).toEqual([image.id, expected]);
    }
  });

  test('Windows is x86_64 only and always names its edition; Linux never does', () => {
    for (const image of all) {
      if (image.osFamily === 'WINDOWS') {
        expect(image.distribution).toBe('WINDOWS');
        expect(image.architecture).toBe('x86_64');
        expect(['FULL', 'CORE']).toContain(image.edition);
      } else {
        expect(image.edition).toBeUndefined();
      }
    }
  });

  test('Debian has no managed image, uses the official owner, and publishes per-architecture parameters', () => {
    const debian = all.filter((i) => i.distribution === 'DEBIAN');
    expect(debian.length).toBe(6);
    for (const image of debian) {
      expect(image.imageBuilderName).toBeUndefined();
      expect(image.amiOwnerAccount).toBe('136693071363');
      const arch = image.architecture === 'x86_64' ? 'amd64' : 'arm64';
      expect(image.ssmParameter).toBe(`/aws/service/debian/release/${image.release}/latest/${arch}`);
      expect(image.amiNamePattern).toBe(`debian-${image.release}-${arch}-*`);
    }
    // AWS's own table lists only the arm64 parameters of 11 and 12; the rest stay flagged.
    expect(MANAGED_PARENT_IMAGES['debian-12-arm64'].unconfirmed).toEqual([]);
    expect(MANAGED_PARENT_IMAGES['debian-12-x86_64'].unconfirmed).toContain('ssmParameter');
    expect(MANAGED_PARENT_IMAGES['debian-13-arm64'].unconfirmed).toContain('ssmParameter');
  });

  test('only sizes from a primary source are given as rootVolumeSizeGiB', () => {
    const sized = all.filter((i) => i.rootVolumeSizeGiB !== undefined).map((i) => i.distribution);
    expect(new Set(sized)).toEqual(new Set(['DEBIAN']));
    expect(confirmedRootSnapshotSizeGiB(MANAGED_PARENT_IMAGES['debian-12-x86_64'])).toBe(8);
    expect(confirmedRootSnapshotSizeGiB(MANAGED_PARENT_IMAGES['ubuntu-24.04-x86_64'])).toBeUndefined();
    expect(MANAGED_PARENT_IMAGES['ubuntu-24.04-x86_64'].typicalRootVolumeSizeGiB).toBe(8);
    expect(confirmedRootSnapshotSizeGiB(MANAGED_PARENT_IMAGES['windows-2022-x86_64'])).toBeUndefined();
  });

  test('unconfirmed only flags fields that are set', () => {
    for (const image of all) {
      for (const field of image.unconfirmed) {
        expect([image.id, field, image[field]]).not.toEqual([image.id, field, undefined]);
      }
    }
  });

  test('the table cannot be modified', () => {
    expect(Object.isFrozen(MANAGED_PARENT_IMAGES)).toBe(true);
    expect(Object.isFrozen(MANAGED_PARENT_IMAGES['al2023-x86_64'])).toBe(true);
  });
});

describe('lookups', () => {
  test('findManagedParent takes a base id and an architecture', () => {
    expect(findManagedParent('al2023')?.imageBuilderName).toBe('amazon-linux-2023-x86');
    expect(findManagedParent('al2023', 'arm64')?.ssmParameter).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(findManagedParent('ubuntu-24.04', 'arm64')?.ssmParameter)
      .toBe('/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id');
    expect(findManagedParent('ubuntu-22.04')?.ssmParameter)
      .toBe('/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id');
    expect(findManagedParent('windows-2022')?.ssmParameter).toBe('/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base');
    expect(findManagedParent('windows-2019-core')?.imageBuilderName).toBe('windows-server-2019-english-core-base-x86');
  });

  test('findManagedParent accepts codenames and rejects what is not published', () => {
    expect(findManagedParent('debian-bookworm', 'arm64')?.id).toBe('debian-12-arm64');
    expect(findManagedParent('Ubuntu-Noble')?.id).toBe('ubuntu-24.04-x86_64');
    expect(findManagedParent('windows-2022', 'arm64')).toBeUndefined();
    expect(findManagedParent('ubuntu-18.04')).toBeUndefined();
    expect(findManagedParent('debian-10')).toBeUndefined();
  });

  test('managedParentIds lists one family for messages, optionally per architecture', () => {
    expect(managedParentIds('ubuntu')).toEqual(['ubuntu-20.04', 'ubuntu-22.04', 'ubuntu-24.04']);
    expect(managedParentIds('al2')).toEqual(['al2']);
    expect(managedParentIds('debian')).toEqual(['debian-11', 'debian-12', 'debian-13']);
    expect(managedParentIds('windows')).toContain('windows-2025-core');
    expect(managedParentIds('windows', 'arm64')).toEqual([]);
    expect(managedParentIds('centos')).toEqual([]);
  });

  test('findManagedParentImage matches distribution, release or codename, architecture and edition', () => {
    expect(findManagedParentImage({ distribution: 'DEBIAN', release: '12' })?.id).toBe('debian-12-x86_64');
    expect(findManagedParentImage({ distribution: 'UBUNTU', release: 'jammy', architecture: 'arm64' })?.id).toBe('ubuntu-22.04-arm64');
    expect(findManagedParentImage({ distribution: 'WINDOWS', release: '2025' })?.edition).toBe('FULL');
    expect(findManagedParentImage({ distribution: 'WINDOWS', release: '2025', edition: 'CORE' })?.id).toBe('windows-2025-core-x86_64');
    expect(findManagedParentImage({ distribution: 'AMAZON_LINUX_2', release: '2023' })).toBeUndefined();
  });

  test('reverse lookups by managed image name and by SSM parameter', () => {
    expect(findManagedParentImageByImageBuilderName('ubuntu-server-24-lts-x86')?.id).toBe('ubuntu-24.04-x86_64');
    expect(findManagedParentImageByImageBuilderName('debian-12-x86')).toBeUndefined();
    expect(findManagedParentImageBySsmParameter('/aws/service/debian/release/12/latest/arm64')?.id).toBe('debian-12-arm64');
    expect(findManagedParentImageBySsmParameter('ssm:/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2')?.id).toBe('al2-x86_64');
    expect(findManagedParentImageBySsmParameter('/aws/service/debian/release/bookworm/latest/amd64')).toBeUndefined();
  });
});

describe('recipe values', () => {
  test('managedImageArn builds the Image Builder ARN with the latest-version wildcard by default', () => {
    expect(managedImageArn('amazon-linux-2023-x86', 'aws', 'eu-west-1'))
      .toBe('arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x');
    expect(managedImageArn('ubuntu-server-22-lts-arm64', 'aws-us-gov', 'us-gov-west-1', '2025.5.8'))
      .toBe('arn:aws-us-gov:imagebuilder:us-gov-west-1:aws:image/ubuntu-server-22-lts-arm64/2025.5.8');
  });

  test('the ARN matches the ParentImage ARN pattern of the Image Builder API', () => {
    const apiPattern = /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):image\/[a-z0-9-_]+\/(?:(?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))$/;
    for (const image of all.filter((i) => i.imageBuilderName)) {
      expect(managedImageArn(image.imageBuilderName!, 'aws', 'us-east-1')).toMatch(apiPattern);
    }
  });

  test('ssmParentImage prefixes the parameter as image recipes expect', () => {
    expect(ssmParentImage('/aws/service/debian/release/12/latest/amd64')).toBe('ssm:/aws/service/debian/release/12/latest/amd64');
  });
});
