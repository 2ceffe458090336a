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
    expect(JSON.stringify(components[components.length - 1])).toContain('ssmagentenabled');
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
