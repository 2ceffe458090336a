import {
  AWS_MANAGED_COMPONENTS,
  editDistance,
  findAwsManagedComponent,
  suggestAwsManagedComponents,
} from '../../src/provisioning/aws-managed-components';

// The ARN pattern of a recipe's ComponentArn allows [a-z0-9-_] in the name segment.
const ARN_NAME = /^[a-z0-9][a-z0-9_-]*[a-z0-9]$/;

describe('AWS_MANAGED_COMPONENTS', () => {
  test('names are unique and usable in a component ARN', () => {
    const names = AWS_MANAGED_COMPONENTS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name).toMatch(ARN_NAME);
    }
  });

  test('the list is sorted by name, so additions stay reviewable', () => {
    const names = AWS_MANAGED_COMPONENTS.map((c) => c.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  test('a -linux or -windows suffix agrees with the platform', () => {
    for (const component of AWS_MANAGED_COMPONENTS) {
      if (/-linux(-(low|medium|high))?$/.test(component.name)) {
        expect([component.name, component.platform]).toEqual([component.name, 'Linux']);
      }
      if (/-windows(-(low|medium|high))?$/.test(component.name)) {
        expect([component.name, component.platform]).toEqual([component.name, 'Windows']);
      }
    }
  });

  test('every description is one short line', () => {
    for (const component of AWS_MANAGED_COMPONENTS) {
      expect(component.description.length).toBeGreaterThan(10);
      expect(component.description.length).toBeLessThanOrEqual(120);
      expect(component.description).not.toContain('\n');
    }
  });

  test('holds every name the CDK alpha helpers and AWSTOE_REFERENCE use', () => {
    const expected = [
      'update-linux', 'update-windows', 'reboot-linux', 'reboot-windows',
      'aws-cli-version-2-linux', 'aws-cli-version-2-windows', 'python-3-linux', 'python-3-windows',
      'hello-world-linux', 'hello-world-windows', 'stig-build-linux', 'stig-build-windows',
      'amazon-cloudwatch-agent-linux',
    ];
    for (const name of expected) {
      expect(findAwsManagedComponent(name)?.name).toBe(name);
    }
  });

  test('uses ARN spellings, not the API display names', () => {
    expect(findAwsManagedComponent('putty')?.platform).toBe('Windows');
    expect(findAwsManagedComponent('PuTTY')).toBeUndefined();
    expect(findAwsManagedComponent('php-8-2-linux')?.platform).toBe('Linux');
    expect(findAwsManagedComponent('php-8_2-linux')).toBeUndefined();
  });

  test('only names missing from AWS\'s current list are legacy', () => {
    const legacy = AWS_MANAGED_COMPONENTS.filter((c) => c.legacy).map((c) => c.name).sort();
    expect(legacy).toEqual([
      'dotnet-core-runtime-windows',
      'dotnet-core-sdk-windows',
      'powershell-windows',
      'update-linux-kernel-mainline',
    ]);
  });
});

describe('findAwsManagedComponent', () => {
  test('finds by exact name with its platform', () => {
    expect(findAwsManagedComponent('simple-boot-test-linux')).toMatchObject({ name: 'simple-boot-test-linux', platform: 'Linux' });
    expect(findAwsManagedComponent('chocolatey')).toMatchObject({ platform: 'Windows' });
  });

  test('is exact: case, versions and unknown names miss', () => {
    expect(findAwsManagedComponent('Update-Linux')).toBeUndefined();
    expect(findAwsManagedComponent('update-linux/1.0.0')).toBeUndefined();
    expect(findAwsManagedComponent('nginx-linux')).toBeUndefined();
    expect(findAwsManagedComponent('')).toBeUndefined();
  });
});

describe('suggestAwsManagedComponents', () => {
  test('a one-letter typo suggests the intended name first', () => {
    expect(suggestAwsManagedComponents('update-linx')[0]).toBe('update-linux');
    expect(suggestAwsManagedComponents('reboot-windos')[0]).toBe('reboot-windows');
  });

  test('ignores case, underscores and surrounding spaces', () => {
    expect(suggestAwsManagedComponents('  Update_Linux ')[0]).toBe('update-linux');
  });

  test('a fragment finds the names that contain it', () => {
    expect(suggestAwsManagedComponents('cloudwatch-agent-linux')).toContain('amazon-cloudwatch-agent-linux');
    expect(suggestAwsManagedComponents('stig-build-linux-hi')[0]).toBe('stig-build-linux-high');
  });

  test('the platform filter drops the other platform\'s twin', () => {
    const linuxOnly = suggestAwsManagedComponents('aws-cli-version-2', 5, 'Linux');
    expect(linuxOnly).toContain('aws-cli-version-2-linux');
    expect(linuxOnly).not.toContain('aws-cli-version-2-windows');
    const windowsOnly = suggestAwsManagedComponents('aws-cli-version-2', 5, 'Windows');
    expect(windowsOnly).toEqual(['aws-cli-version-2-windows']);
  });

  test('respects max and returns nothing for max 0 or an empty name', () => {
    expect(suggestAwsManagedComponents('amazon-corretto', 2)).toHaveLength(2);
    expect(suggestAwsManagedComponents('amazon-corretto', 0)).toEqual([]);
    expect(suggestAwsManagedComponents('   ')).toEqual([]);
  });

  test('unrelated input gets no suggestion rather than noise', () => {
    expect(suggestAwsManagedComponents('zzzzqqqqxxxx')).toEqual([]);
    expect(suggestAwsManagedComponents('ab')).toEqual([]);
  });

  test('every suggestion is a catalogue name', () => {
    for (const input of ['docker', 'corretto-17', 'dotnet-sdk', 'inspector', 'windows-iis']) {
      for (const name of suggestAwsManagedComponents(input, 10)) {
        expect(findAwsManagedComponent(name)).toBeDefined();
      }
    }
  });
});

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['update-linux', 'update-linux', 0],
    ['update-linx', 'update-linux', 1],
    ['flaw', 'lawn', 2],
  ])('distance(%p, %p) = %p', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});
