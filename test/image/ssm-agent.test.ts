import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DeploymentImage, GoldenImage, GoldenImageProps, ImmutableDeployment, ParentImage, Provisioner } from '../../src';
import { SSM_AGENT_CHECK_NAME } from '../../src/image/ssm-agent';
import { ToeDocument } from '../../src/provisioning/toe/component-document';
import { parseComponentDocumentYaml } from '../../src/provisioning/toe/parse';
import { baseProps, newStack } from '../deployment/deployment-fixtures';
import { runDocument } from '../provisioning/run-steps';
import { ENV } from '../support/stacks';

function bake(props: Partial<GoldenImageProps> = {}): { image: GoldenImage; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'Bake', { env: ENV });
  const image = new GoldenImage(stack, 'Web', {
    parentImage: ParentImage.debian({ release: '12' }),
    provisioners: [Provisioner.shell({ name: 'nginx', commands: ['apt-get install -y nginx'] })],
    ...props,
  });
  return { image, template: Template.fromStack(stack) };
}

/** Recipe versions of `bake()` and of the Windows image below before Windows recipes dropped the agent setting. */
const LINUX_RECIPE_VERSION = '1.0.630181102';
const WINDOWS_RECIPE_VERSION_WITH_SETTING = '1.0.151952831';

function recipeOf(template: Template): any {
  return Object.values(template.findResources('AWS::ImageBuilder::ImageRecipe'))[0].Properties;
}

describe('the SSM agent stays in the AMI', () => {
  test('by default the recipe keeps an agent Image Builder installed (its own default removes it)', () => {
    const { template, image } = bake();
    expect(recipeOf(template).AdditionalInstanceConfiguration).toEqual({ SystemsManagerAgent: { UninstallAfterBuild: false } });
    expect(image.keepsSsmAgent).toBe(true);
  });

  test('no user data override: Image Builder\'s own user data installs the agent on parents without one', () => {
    const { template } = bake();
    expect(recipeOf(template).AdditionalInstanceConfiguration.UserDataOverride).toBeUndefined();
  });

  test('keepSsmAgent false removes it, drops the check, and is part of the recipe\'s content hash', () => {
    const kept = bake();
    const removed = bake({ keepSsmAgent: false });
    expect(recipeOf(removed.template).AdditionalInstanceConfiguration).toEqual({ SystemsManagerAgent: { UninstallAfterBuild: true } });
    expect(Object.keys(removed.image.componentDocuments)).toEqual(['nginx']);
    expect(recipeOf(removed.template).Version).not.toEqual(recipeOf(kept.template).Version);
    expect(removed.image.imageKey).not.toEqual(kept.image.imageKey);
    expect(removed.image.keepsSsmAgent).toBe(false);
  });

  test('verifySsmAgent false keeps the agent without the check', () => {
    const { image, template } = bake({ verifySsmAgent: false });
    expect(Object.keys(image.componentDocuments)).toEqual(['nginx']);
    expect(recipeOf(template).AdditionalInstanceConfiguration.SystemsManagerAgent.UninstallAfterBuild).toBe(false);
  });

  test('a check on an agent the bake removes afterwards is refused', () => {
    expect(() => bake({ keepSsmAgent: false, verifySsmAgent: true }))
      .toThrow(/Bake\/Web: invalid verifySsmAgent true.*keepSsmAgent is false.*Remove verifySsmAgent, or keep the agent/s);
  });

  describe('on Windows, which ships the agent and where Image Builder rejects the setting', () => {
    const windows = (props: Partial<GoldenImageProps> = {}) => bake({
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
      ...props,
    });

    test('the recipe carries no agent setting, and no instance configuration at all without user data', () => {
      const { template, image } = windows();
      expect(recipeOf(template).AdditionalInstanceConfiguration).toBeUndefined();
      expect(image.keepsSsmAgent).toBe(true);
      expect(Object.keys(image.componentDocuments)).toEqual(['iis', SSM_AGENT_CHECK_NAME]);
    });

    test('a user data override stays, without the agent setting', () => {
      const { template } = windows({ userDataOverride: '<powershell>Write-Output hi</powershell>' });
      expect(Object.keys(recipeOf(template).AdditionalInstanceConfiguration)).toEqual(['UserDataOverride']);
    });

    test('keepSsmAgent false is refused with the way to ship without the agent', () => {
      expect(() => windows({ keepSsmAgent: false })).toThrow(
        /^Bake\/Web: invalid keepSsmAgent false: Image Builder neither installs nor removes the SSM agent on Windows.*Remove keepSsmAgent; to ship without the agent, uninstall it in a build step of your own$/s);
    });

    test('Linux recipes keep their versions; a Windows recipe gets a new one without the setting', () => {
      // The versions these two recipes had while every recipe carried the setting: a Linux
      // image's must not move (its recipe would be replaced for nothing).
      expect(recipeOf(bake().template).Version).toBe(LINUX_RECIPE_VERSION);
      expect(recipeOf(windows().template).Version).not.toBe(WINDOWS_RECIPE_VERSION_WITH_SETTING);
    });
  });

  test('a provisioner named like the check is told to take another name', () => {
    expect(() => bake({ validations: [Provisioner.shell({ name: SSM_AGENT_CHECK_NAME, commands: ['true'] })] }))
      .toThrow(/invalid validations\[0\]\.name 'ssm-agent-enabled'.*SSM agent check.*another name, or set verifySsmAgent to false/s);
  });
});

describe('the validate step that fails a bake without an agent', () => {
  const { image, template } = bake();
  const document = parseComponentDocumentYaml(image.componentDocuments[SSM_AGENT_CHECK_NAME]) as ToeDocument;
  const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'ssm-agent-'));

  /** A `systemctl` that reports the given units enabled and every other one disabled. */
  function systemctlEnabling(units: string[]): string {
    const bin = path.join(fakeBin, units.join('-') || 'none');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'systemctl'), [
      '#!/bin/bash',
      '[ "$1" = is-enabled ] || exit 2',
      `for unit in ${units.join(' ')}; do [ "\${@: -1}" = "$unit" ] && exit 0; done`,
      'exit 1',
    ].join('\n'), { mode: 0o755 });
    return `${bin}:${process.env.PATH}`;
  }

  test('runs in the validate phase, after every build step', () => {
    expect(document.phases.map(p => p.name)).toEqual(['validate']);
    const components = recipeOf(template).Components;
    expect(JSON.stringify(components[components.length - 1])).toContain('CdkImmutableInfraSsmAgentCheckLinux');
  });

  test.each([
    ['a systemd unit (Debian, Amazon Linux, RHEL)', ['amazon-ssm-agent']],
    ['a snap (Ubuntu)', ['snap.amazon-ssm-agent.amazon-ssm-agent']],
  ])('passes when the agent is %s enabled at boot', (_kind, units) => {
    const result = runDocument(document, new Map(), { path: systemctlEnabling(units) });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/The SSM agent \(.*\) starts at boot/);
  });

  test('fails the bake, saying why, when no agent starts at boot', () => {
    const result = runDocument(document, new Map(), { path: systemctlEnabling([]) });
    expect(result.status).toBe(1);
    expect(result.failedStep).toBe(SSM_AGENT_CHECK_NAME);
    expect(result.stderr).toContain('not installed or not enabled at boot: instances of this image cannot be reached through Session Manager');
  });

  test('on Windows it checks the AmazonSSMAgent service\'s start type', () => {
    const windows = bake({
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.powerShell({ name: 'iis', commands: ['Install-WindowsFeature Web-Server'] })],
    });
    const step = (parseComponentDocumentYaml(windows.image.componentDocuments[SSM_AGENT_CHECK_NAME]) as ToeDocument).phases[0].steps[0];
    expect(step.action).toBe('ExecutePowerShell');
    const script = (step.inputs as { commands: string[] }).commands.join('\n');
    expect(script).toContain('Get-Service -Name AmazonSSMAgent');
    expect(script).toContain('$agent.StartType -ne \'Automatic\'');
  });
});

describe('one check component per stack and OS family', () => {
  function images(stackName: string, parents: ParentImage[]) {
    const stack = new Stack(new App(), stackName, { env: ENV });
    const made = parents.map((parentImage, i) => new GoldenImage(stack, `Image${i}`, {
      parentImage,
      provisioners: [WINDOWS.has(parentImage)
        ? Provisioner.powerShell({ name: 'step', commands: [`Write-Output ${i}`] })
        : Provisioner.shell({ name: 'step', commands: [`echo ${i}`] })],
    }));
    return { images: made, template: Template.fromStack(stack) };
  }
  const windows2022 = ParentImage.windowsServer({ version: '2022' });
  const windows2019 = ParentImage.windowsServer({ version: '2019' });
  const WINDOWS = new Set([windows2022, windows2019]);
  const checkComponents = (template: Template) => Object.values(template.findResources('AWS::ImageBuilder::Component'))
    .filter(c => (c.Properties.Name as string).includes(SSM_AGENT_CHECK_NAME));

  test('the images of a stack share it: one resource, in every recipe, last', () => {
    const { template } = images('Shared', [ParentImage.debian({ release: '12' }), ParentImage.amazonLinux2023(), ParentImage.debian({ release: '12' })]);
    expect(checkComponents(template)).toHaveLength(1);
    const recipes = Object.values(template.findResources('AWS::ImageBuilder::ImageRecipe'));
    expect(recipes).toHaveLength(3);
    for (const recipe of recipes) {
      const components = recipe.Properties.Components;
      expect(components[components.length - 1].ComponentArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CdkImmutableInfraSsmAgentCheckLinux/), 'Arn'] });
    }
  });

  test('Linux and Windows images get one each, named after the stack and the OS family', () => {
    const { template } = images('Mixed', [ParentImage.debian({ release: '12' }), windows2022, windows2019]);
    const names = checkComponents(template).map(c => [c.Properties.Name, c.Properties.Platform]).sort();
    expect(names).toEqual([['mixed-ssm-agent-enabled-linux', 'Linux'], ['mixed-ssm-agent-enabled-windows', 'Windows']]);
  });

  test('each stack has its own, so two stacks never claim one component name', () => {
    const one = checkComponents(images('One', [ParentImage.debian({ release: '12' })]).template);
    const two = checkComponents(images('Two', [ParentImage.debian({ release: '12' })]).template);
    expect(one[0].Properties.Name).not.toEqual(two[0].Properties.Name);
    expect(one[0].Properties.Data).toEqual(two[0].Properties.Data);
  });

  test('the same image in another stack gets another recipe version, since its recipe names another component', () => {
    const version = (name: string) => Object.values(images(name, [ParentImage.debian({ release: '12' })]).template
      .findResources('AWS::ImageBuilder::ImageRecipe'))[0].Properties.Version;
    expect(version('One')).not.toEqual(version('Two'));
  });

  test('an image that does not verify the agent adds no check to the stack', () => {
    const { template } = bake({ verifySsmAgent: false });
    expect(checkComponents(template)).toEqual([]);
  });
});

describe('a deployment of an image without the agent', () => {
  function deployImage(props: Partial<GoldenImageProps>) {
    const { stack, vpc } = newStack({ env: ENV });
    const image = new GoldenImage(stack, 'Image', {
      parentImage: ParentImage.debian({ release: '12' }),
      provisioners: [Provisioner.shell({ name: 'nginx', commands: ['apt-get install -y nginx'] })],
      ...props,
    });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromGoldenImage(image) }));
    return Annotations.fromStack(stack).findWarning('/Stack/Web', Match.stringLikeRegexp('keepSsmAgent false'));
  }

  test('warns that Session Manager cannot reach its instances', () => {
    const warnings = deployImage({ keepSsmAgent: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/image: DeploymentImage.fromGoldenImage\(Stack\/Image\) is baked with keepSsmAgent false: .*Session Manager.*keepSsmAgent: true/);
  });

  test('an image that keeps it deploys without a warning', () => {
    expect(deployImage({})).toEqual([]);
  });
});
