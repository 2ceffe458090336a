import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { GoldenImage, OsFamily, ParentImage, Provisioner } from '../../src';
import { FIXTURES } from '../provisioning/kind-context';
import { ENV } from '../support/stacks';

/**
 * The kinds through a real GoldenImage: each document passes the image's own validation,
 * becomes a component, and the recipe lists the by-ARN components with their parameters.
 */
function synth(build: (stack: Stack) => GoldenImage) {
  const app = new App();
  const stack = new Stack(app, 'Kinds', { env: ENV });
  const image = build(stack);
  return { stack, image, template: Template.fromStack(stack) };
}

function componentsByName(template: Template): Record<string, any> {
  const out: Record<string, any> = {};
  for (const r of Object.values(template.findResources('AWS::ImageBuilder::Component')) as any[]) {
    out[r.Properties.Name] = r.Properties;
  }
  return out;
}

describe('provisioner kinds in a Linux GoldenImage', () => {
  const { template, stack } = synth(s => new GoldenImage(s, 'Web', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [
      Provisioner.updateOs(),
      Provisioner.file({ source: path.join(FIXTURES, 'site') + '/', destination: '/usr/share/nginx/html/', mode: '0644', owner: 'root' }),
      Provisioner.file({ source: path.join(FIXTURES, 'app.conf'), destination: '/etc/demo/' }),
      Provisioner.ansiblePlaybook({ playbook: path.join(FIXTURES, 'ansible-site'), extraVars: { site_title: 'golden' } }),
      Provisioner.awsManaged('aws-cli-version-2-linux'),
      Provisioner.fromComponentDocumentFile(path.join(FIXTURES, 'documents', 'hello-linux.yaml'), { parameters: { Greeting: 'hi' } }),
      Provisioner.reboot({ delay: Duration.seconds(5) }),
    ],
    tests: [Provisioner.awsManaged('reboot-test-linux')],
    // The provisioner kinds alone: the SSM agent check has its own tests.
    verifySsmAgent: false,
  }));

  test('one component per document, none for AWS-managed ones', () => {
    const names = Object.keys(componentsByName(template)).sort();
    expect(names).toHaveLength(6);
    for (const suffix of ['update-os-1', 'file-1', 'file-2', 'ansible-1', 'hello-world-linux', 'reboot-1']) {
      expect(names.filter(n => n.endsWith(`-${suffix}`))).toHaveLength(1);
    }
  });

  test('the recipe references the managed components by ARN and passes the document parameters', () => {
    const recipe = (Object.values(template.findResources('AWS::ImageBuilder::ImageRecipe'))[0] as any).Properties;
    const arns = JSON.stringify(recipe.Components);
    expect(arns).toContain(':imagebuilder:eu-west-1:aws:component/aws-cli-version-2-linux/x.x.x');
    expect(recipe.Components.some((c: any) => JSON.stringify(c.Parameters) === JSON.stringify([{ Name: 'Greeting', Value: ['hi'] }]))).toBe(true);
  });

  test('the build role reads exactly the three assets', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as any[];
    const statements = policies.flatMap(p => p.Properties.PolicyDocument.Statement).filter((s: any) => JSON.stringify(s).includes('cdk-hnb659fds-assets'));
    expect(statements.every((s: any) => s.Action === 's3:GetObject')).toBe(true);
    expect(statements.flatMap((s: any) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))).toHaveLength(3);
    expect(stack.node.findAll().filter(c => c.constructor.name === 'Asset')).toHaveLength(3);
  });
});

describe('provisioner kinds in a Windows GoldenImage', () => {
  test('PowerShell, files, updates and reboots synthesise; a Linux kind is refused', () => {
    const { template } = synth(s => new GoldenImage(s, 'Win', {
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [
        Provisioner.updateOs({ exclude: ['KB5005112'] }),
        Provisioner.powerShell({ commands: ['Install-WindowsFeature -Name Web-Server'] }),
        Provisioner.powerShellScript({ path: path.join(FIXTURES, 'scripts', 'setup.ps1'), arguments: ['-Role', 'web'] }),
        Provisioner.file({ source: path.join(FIXTURES, 'site'), destination: 'C:\\inetpub\\wwwroot\\' }),
        Provisioner.reboot(),
        Provisioner.fromComponentArn('arn:aws:imagebuilder:eu-west-1:123456789012:component/harden-windows/1.0.0/1', { platform: OsFamily.WINDOWS }),
      ],
      verifySsmAgent: false,
    }));
    const platforms = Object.values(componentsByName(template)).map(c => c.Platform);
    expect(platforms).toEqual(['Windows', 'Windows', 'Windows', 'Windows', 'Windows']);

    expect(() => synth(s => new GoldenImage(s, 'Win', {
      parentImage: ParentImage.windowsServer({ version: '2022' }),
      provisioners: [Provisioner.ansiblePlaybook({ playbook: path.join(FIXTURES, 'ansible-single.yml') })],
    }))).toThrow(/Kinds\/Win: invalid provisioners\[0\] 'Provisioner\.ansiblePlaybook'/);
  });
});
