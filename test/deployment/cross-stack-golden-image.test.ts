import { App, CfnElement, Environment, NestedStack, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { baseProps, only } from './deployment-fixtures';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { GoldenImage, GoldenImageProps } from '../../src/image/golden-image';
import { ParentImage } from '../../src/image/parent-image';
import { PipelineSchedule } from '../../src/pipeline/pipeline-schedule';
import { Provisioner } from '../../src/provisioning/provisioner';

/*
 * Golden images used by stacks of other deployments (issue 21): the AMI id of each bake must
 * reach them without Fn::ImportValue, and a rebake must change exactly the generation in the
 * consumer and the published parameter in the producer.
 */

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const HOME = { account: ACCOUNT, region: 'eu-west-1' };
const PUBLISHED = /^\{\{resolve:ssm:(\/imagebuilder\/cdk-immutable-infra\/images-webimage-[0-9a-f]{8}\/[0-9a-f]{16}):1\}\}$/;

function goldenImage(stack: Stack, command = 'dnf install -y nginx', props: Partial<GoldenImageProps> = {}): GoldenImage {
  return new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: [command] })],
    ...props,
  });
}

/** A stack with its own VPC and one deployment of `image`. */
function consumerStack(app: Construct, id: string, image: GoldenImage, env: Environment = HOME): { stack: Stack; deployment: ImmutableDeployment } {
  const stack = new Stack(app, id, { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromGoldenImage(image) }));
  return { stack, deployment };
}

function json(stack: Stack): any {
  return Template.fromStack(stack).toJSON();
}

function launchTemplateImageIds(stack: Stack): unknown[] {
  return Object.values<any>(json(stack).Resources)
    .filter(r => r.Type === 'AWS::EC2::LaunchTemplate')
    .map(r => r.Properties.LaunchTemplateData.ImageId);
}

/** The SSM parameter outputs of the image's distribution, by region. */
function publishedParameters(stack: Stack): Record<string, unknown[]> {
  const distribution = only(Template.fromStack(stack), 'AWS::ImageBuilder::DistributionConfiguration').resource;
  return Object.fromEntries(distribution.Properties.Distributions.map((d: any) => [d.Region, d.SsmParameterConfigurations ?? []]));
}

function findAll(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) {
    return value.flatMap(v => findAll(v, key));
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === key ? [v] : findAll(v, key)));
  }
  return [];
}

/** Export names a template declares. */
function exportsOf(stack: Stack): string[] {
  return Object.values<any>(json(stack).Outputs ?? {}).filter(o => o.Export).map(o => JSON.stringify(o.Export.Name));
}

describe('two stacks: an images stack and an application stack', () => {
  const app = new App();
  const images = new Stack(app, 'Images', { env: HOME });
  const image = goldenImage(images);
  const { stack: web } = consumerStack(app, 'App', image);
  const assembly = app.synth();

  test('the launch template reads version 1 of the parameter of this bake; nothing is imported or exported', () => {
    const [imageId] = launchTemplateImageIds(web);
    expect(imageId).toMatch(PUBLISHED);
    expect((imageId as string)).toContain(`/${image.imageKey}:1}}`);
    expect(findAll(json(web), 'Fn::ImportValue')).toEqual([]);
    expect(exportsOf(images)).toEqual([]);
    // No CloudFormation parameter that CloudFormation would re-resolve on every update.
    expect(Object.keys(json(web).Parameters ?? {})).toEqual(['BootstrapVersion']);
  });

  test('the image\'s build region entry writes that parameter, as plain text, in the image\'s own account', () => {
    const name = PUBLISHED.exec(launchTemplateImageIds(web)[0] as string)![1];
    expect(publishedParameters(images)).toEqual({ 'eu-west-1': [{ ParameterName: name, DataType: 'text' }] });
  });

  test('the application stack depends on the images stack, so cdk deploy --all deploys the image first', () => {
    expect(assembly.getStackByName('App').dependencies.map(d => d.id)).toContain('Images');
    expect(assembly.getStackByName('Images').dependencies.map(d => d.id)).not.toContain('App');
  });
});

describe('three stacks: images, a network with the user\'s load balancer, two deployments sharing its listener', () => {
  const app = new App();
  const images = new Stack(app, 'Images', { env: HOME });
  const image = goldenImage(images);
  const network = new Stack(app, 'Network', { env: HOME });
  const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const alb = new elbv2.ApplicationLoadBalancer(network, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const web = new Stack(app, 'App', { env: HOME });
  for (const [id, priority] of [['Web', 10], ['Api', 20]] as const) {
    new ImmutableDeployment(web, id, baseProps(vpc, {
      image: DeploymentImage.fromGoldenImage(image),
      listener,
      priority,
      conditions: [elbv2.ListenerCondition.pathPatterns([`/${id.toLowerCase()}/*`])],
    }));
  }
  const assembly = app.synth();

  test('both deployments launch the published AMI; App imports only the network\'s exports; Images exports nothing', () => {
    const ids = launchTemplateImageIds(web);
    expect(ids).toHaveLength(2);
    ids.forEach(id => expect(id).toMatch(PUBLISHED));
    const networkExports = new Set(exportsOf(network));
    const imports = findAll(json(web), 'Fn::ImportValue').map(v => JSON.stringify(v));
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(i => !networkExports.has(i))).toEqual([]);
    expect(exportsOf(images)).toEqual([]);
    expect(networkExports.size).toBeGreaterThan(0);
  });

  test('one parameter serves every consumer in the same region and account', () => {
    expect(publishedParameters(images)['eu-west-1']).toHaveLength(1);
  });

  test('deploy order: Images and Network before App', () => {
    const deps = assembly.getStackByName('App').dependencies.map(d => d.id);
    expect(deps).toEqual(expect.arrayContaining(['Images', 'Network']));
  });
});

describe('other regions and accounts', () => {
  /** Images in eu-west-1, distributed by a pipeline as `distribution` says. */
  function distributedImage(app: App, distribution: Parameters<GoldenImage['addPipeline']>[1] = {}): { images: Stack; image: GoldenImage } {
    const images = new Stack(app, 'Images', { env: HOME });
    // Copies to other accounts need the AMI encrypted with a customer managed key.
    const copies = (distribution?.distribution ?? []).some(entry => (entry.copyToAccounts ?? []).length > 0);
    const image = goldenImage(images, undefined, copies ? { rootVolume: { kmsKey: new kms.Key(images, 'AmiKey') } } : {});
    image.addPipeline('Distribute', { schedule: PipelineSchedule.manual(), ...distribution });
    return { images, image };
  }

  test('a deployment in a region the image is distributed to launches that region\'s copy, through the parameter written there', () => {
    const app = new App();
    const { images, image } = distributedImage(app, { distribution: [{ region: 'us-east-1' }] });
    const { stack: home } = consumerStack(app, 'Home', image);
    const { stack: east } = consumerStack(app, 'East', image, { account: ACCOUNT, region: 'us-east-1' });
    const name = PUBLISHED.exec(launchTemplateImageIds(east)[0] as string)![1];
    expect(launchTemplateImageIds(home)).toEqual(launchTemplateImageIds(east));
    expect(publishedParameters(images)).toEqual({
      'eu-west-1': [{ ParameterName: name, DataType: 'text' }],
      'us-east-1': [{ ParameterName: name, DataType: 'text' }],
    });
    expect(findAll(json(east), 'Fn::ImportValue')).toEqual([]);
    expect(app.synth().getStackByName('East').dependencies.map(d => d.id)).toContain('Images');
  });

  test('a region the image is not distributed to fails synth, naming the deployment, the image, the region and the fix', () => {
    const app = new App();
    const { image } = distributedImage(app, { distribution: [{ region: 'us-east-1' }] });
    consumerStack(app, 'Sydney', image, { account: ACCOUNT, region: 'ap-southeast-2' });
    expect(() => app.synth()).toThrow(new RegExp(
      'Sydney/Web: invalid image \'Images/WebImage\': its AMI is only in eu-west-1, us-east-1, and the consumer runs in ap-southeast-2\\. '
      + 'Distribute the image to ap-southeast-2: add \\{ region: \'ap-southeast-2\' \\} to the distribution of one of its pipelines'));
  });

  test('the check waits for pipelines added after the deployment', () => {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const image = goldenImage(images);
    const { stack: east } = consumerStack(app, 'East', image, { account: ACCOUNT, region: 'us-east-1' });
    image.addPipeline('Later', { schedule: PipelineSchedule.manual(), distribution: [{ region: 'us-east-1' }] });
    expect(launchTemplateImageIds(east)[0]).toMatch(PUBLISHED);
    expect(Object.keys(publishedParameters(images))).toEqual(['eu-west-1', 'us-east-1']);
    expect(publishedParameters(images)['eu-west-1']).toEqual([]);
  });

  test('another account gets the parameter of its own copy; an account the AMI is not copied to fails synth', () => {
    const app = new App();
    const { images, image } = distributedImage(app, { distribution: [{ region: 'us-east-1', copyToAccounts: [OTHER_ACCOUNT] }] });
    consumerStack(app, 'Partner', image, { account: OTHER_ACCOUNT, region: 'us-east-1' });
    expect(publishedParameters(images)['us-east-1']).toEqual([expect.objectContaining({ AmiAccountId: OTHER_ACCOUNT, DataType: 'text' })]);

    const refused = new App();
    const other = distributedImage(refused, { distribution: [{ region: 'us-east-1' }] });
    consumerStack(refused, 'Partner', other.image, { account: OTHER_ACCOUNT, region: 'us-east-1' });
    expect(() => refused.synth()).toThrow(new RegExp(
      `Partner/Web: invalid image 'Images/WebImage': its AMI is not copied to account ${OTHER_ACCOUNT} in us-east-1, where the consumer runs\\. `
      + `Add '${OTHER_ACCOUNT}' to copyToAccounts`));
  });

  test('an image stack without an environment may build in the consumer\'s region: the parameter goes to its build region', () => {
    const app = new App();
    const images = new Stack(app, 'Images');
    const image = goldenImage(images);
    image.addPipeline('Distribute', { schedule: PipelineSchedule.manual(), distribution: [{ region: 'us-east-1' }] });
    consumerStack(app, 'East', image, { region: 'us-east-1' });
    consumerStack(app, 'Anywhere', image, {});
    // Not distributed there: the image stack must be deployed to ap-southeast-2 itself, which synth cannot check.
    consumerStack(app, 'Sydney', image, { region: 'ap-southeast-2' });
    const byRegion = Template.fromStack(images).toJSON().Resources;
    const distribution = Object.values<any>(byRegion).find(r => r.Type === 'AWS::ImageBuilder::DistributionConfiguration');
    const [build, east] = distribution.Properties.Distributions;
    expect(build.Region).toEqual({ Ref: 'AWS::Region' });
    expect(build.SsmParameterConfigurations).toHaveLength(1);
    expect(east.Region).toBe('us-east-1');
    expect(east.SsmParameterConfigurations).toHaveLength(1);
  });

  test('the image\'s execution role may write the published parameters, whichever of pipeline and consumer comes first', () => {
    for (const pipelineFirst of [true, false]) {
      const app = new App();
      const images = new Stack(app, 'Images', { env: HOME });
      const image = goldenImage(images);
      const addPipeline = () => image.addPipeline('Latest', {
        schedule: PipelineSchedule.manual(),
        // A name outside /imagebuilder/ makes the library create an execution role.
        distribution: [{ ssmParameters: [{ parameterName: '/golden/web/latest' }] }, { region: 'us-east-1' }],
      });
      if (pipelineFirst) addPipeline();
      consumerStack(app, 'East', image, { account: ACCOUNT, region: 'us-east-1' });
      if (!pipelineFirst) addPipeline();
      const policies = Object.values<any>(json(images).Resources).filter(r => r.Type === 'AWS::IAM::Policy');
      const resources = JSON.stringify(findAll(policies, 'Resource'));
      expect(resources).toContain(':us-east-1:111111111111:parameter/imagebuilder/cdk-immutable-infra/images-webimage-');
      expect(resources).toContain(':eu-west-1:111111111111:parameter/golden/web/latest');
    }
  });
});

describe('a rebake', () => {
  /** The same two-stack app with one provisioner command changed. */
  function version(command: string) {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const image = goldenImage(images, command);
    image.addPipeline('Distribute', { schedule: PipelineSchedule.manual(), distribution: [{ region: 'us-east-1' }] });
    const { stack: web, deployment } = consumerStack(app, 'App', image, { account: ACCOUNT, region: 'us-east-1' });
    return { images, image, web, deployment };
  }
  const v1 = version('dnf install -y nginx');
  const v2 = version('dnf install -y nginx-core');

  test('changes the consumer\'s generation and the parameter it reads, and nothing else', () => {
    expect(v2.deployment.generationKey).not.toBe(v1.deployment.generationKey);
    const renamed = substitute(json(v1.web), [
      ...logicalIdRenames(v1.web, v2.web, v1.deployment.generationKey, v2.deployment.generationKey),
      [v1.deployment.generationKey, v2.deployment.generationKey],
      [v1.image.imageKey, v2.image.imageKey],
    ]);
    expect(renamed).toEqual(json(v2.web));
  });

  test('changes the image\'s content and the parameter path its distribution writes, and nothing else', () => {
    const before = substitute(json(v1.images), [[v1.image.imageKey, v2.image.imageKey]]);
    const after = json(v2.images);
    const changed = Object.keys(after.Resources).filter(id => JSON.stringify(after.Resources[id]) !== JSON.stringify(before.Resources[id]));
    const types = changed.map(id => after.Resources[id].Type).sort();
    expect(types).toEqual(['AWS::ImageBuilder::Component', 'AWS::ImageBuilder::ImageRecipe']);
    expect(Object.keys(after.Resources).sort()).toEqual(Object.keys(before.Resources).sort());
    expect(JSON.stringify(publishedParameters(v1.images))).toContain(v1.image.imageKey);
    expect(JSON.stringify(publishedParameters(v2.images))).toContain(v2.image.imageKey);
  });

  test('the old generation\'s launch template names the old bake\'s parameter at version 1, which no later write changes', () => {
    const [old] = launchTemplateImageIds(v1.web) as string[];
    const [current] = launchTemplateImageIds(v2.web) as string[];
    expect(old).not.toBe(current);
    expect(old).toMatch(new RegExp(`/${v1.image.imageKey}:1\\}\\}$`));
    expect(current).toMatch(new RegExp(`/${v2.image.imageKey}:1\\}\\}$`));
  });
});

test('an image that deletes replaced AMIs warns each deployment of another stack, which would lose its AMI before its own release', () => {
  const app = new App();
  const images = new Stack(app, 'Images', { env: HOME });
  const image = new GoldenImage(images, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx'] })],
    amiRemovalPolicy: RemovalPolicy.DESTROY,
  });
  const { stack } = consumerStack(app, 'App', image);
  Annotations.fromStack(stack).hasWarning('/App/Web', Match.stringLikeRegexp(
    'Images/WebImage has amiRemovalPolicy DESTROY: deploying its stack deletes the AMI of the bake it replaces, which App/Web keeps launching'));
  const retaining = new App();
  const { stack: kept } = consumerStack(retaining, 'Kept', goldenImage(new Stack(retaining, 'Images', { env: HOME })));
  expect(Annotations.fromStack(kept).findWarning('*', Match.stringLikeRegexp('amiRemovalPolicy'))).toEqual([]);
});

describe('same deployment', () => {
  test('a deployment in the image\'s own stack still reads the image resource directly and publishes nothing', () => {
    const stack = new Stack(new App(), 'Together', { env: HOME });
    const image = goldenImage(stack);
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    new ImmutableDeployment(stack, 'Web', baseProps(vpc, { image: DeploymentImage.fromGoldenImage(image) }));
    const template = Template.fromStack(stack);
    expect(launchTemplateImageIds(stack)).toEqual([{ 'Fn::GetAtt': [only(template, 'AWS::ImageBuilder::Image').id, 'ImageId'] }]);
    expect(publishedParameters(stack)).toEqual({ 'eu-west-1': [] });
  });

  test('a nested stack of the image\'s stack is the same deployment: the value passes as a nested stack parameter', () => {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const image = goldenImage(images);
    const nested = new NestedStack(images, 'Fleet');
    new ec2.LaunchTemplate(nested, 'Template', { machineImage: image.machineImage });
    app.synth();
    const imageId = only(Template.fromStack(nested), 'AWS::EC2::LaunchTemplate').resource.Properties.LaunchTemplateData.ImageId;
    expect(imageId).toEqual({ Ref: expect.stringMatching(/WebImage.*ImageId/) });
    expect(publishedParameters(images)).toEqual({ 'eu-west-1': [] });
  });

  test('a consumer in a stack of another stage publishes without a stack dependency (stages deploy apart)', () => {
    const app = new App();
    const images = new Stack(new Stage(app, 'Shared', { env: HOME }), 'Images');
    const image = goldenImage(images);
    const prod = new Stage(app, 'Prod', { env: HOME });
    const { stack } = consumerStack(prod, 'App', image);
    expect(launchTemplateImageIds(stack)[0]).toMatch(/^\{\{resolve:ssm:\/imagebuilder\/cdk-immutable-infra\/[a-z0-9-]*images-webimage-[0-9a-f]{8}\/[0-9a-f]{16}:1\}\}$/);
    expect(stack.dependencies).toEqual([]);
  });
});

describe('per-bake attributes used directly in another stack', () => {
  function twoStacks() {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const image = goldenImage(images);
    const other = new Stack(app, 'Other', { env: HOME });
    return { app, image, other };
  }

  test.each(['imageId', 'imageArn', 'parentImageArn'] as const)('%s fails synth with the fix instead of becoming an export', attribute => {
    const { app, image, other } = twoStacks();
    new ec2.CfnLaunchTemplate(other, 'Template', { launchTemplateData: { imageId: image[attribute] } });
    expect(() => app.synth()).toThrow(new RegExp(
      `Images/WebImage: invalid ${attribute} 'used in Other': it changes with every bake, and a reference from another stack would be an export `
      + '.*In another stack use DeploymentImage\\.fromGoldenImage\\(image\\), ParentImage\\.fromGoldenImage\\(image\\) or image\\.machineImage'));
  });

  test('image.machineImage works in any stack: a plain launch template of another stack reads the published id', () => {
    const { app, image, other } = twoStacks();
    const template = new ec2.LaunchTemplate(other, 'Template', { machineImage: image.machineImage });
    app.synth();
    const lt = only(Template.fromStack(other), 'AWS::EC2::LaunchTemplate').resource;
    expect(lt.Properties.LaunchTemplateData.ImageId).toMatch(PUBLISHED);
    expect(template.node.path).toBe('Other/Template');
  });

  test('a pipeline\'s deploy-time build is guarded the same way', () => {
    const { app, image, other } = twoStacks();
    const pipeline = image.addPipeline('Rebake', { runOnDeploy: true });
    new ec2.CfnLaunchTemplate(other, 'Template', { launchTemplateData: { imageId: pipeline.imageId } });
    expect(() => app.synth()).toThrow(/Images\/WebImage\/Rebake: invalid imageId 'used in Other'.*DeploymentImage\.fromSsmParameterLookup/);
  });
});

describe('cascading images across stacks', () => {
  function cascade(command: string) {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const base = goldenImage(images, command);
    const apps = new Stack(app, 'AppImages', { env: HOME });
    const child = new GoldenImage(apps, 'Child', {
      parentImage: ParentImage.fromGoldenImage(base),
      provisioners: [Provisioner.shell({ name: 'app', commands: ['echo app'] })],
    });
    return { app, images, base, apps, child };
  }

  test('the child recipe\'s parent is the published AMI id of the base; its version follows the base\'s content', () => {
    const v1 = cascade('dnf install -y nginx');
    const v2 = cascade('dnf install -y nginx-core');
    const recipe = (c: ReturnType<typeof cascade>) => only(Template.fromStack(c.apps), 'AWS::ImageBuilder::ImageRecipe').resource.Properties;
    expect(recipe(v1).ParentImage).toBe(`{{resolve:ssm:/imagebuilder/cdk-immutable-infra/${v1.base.imageName}/${v1.base.imageKey}:1}}`);
    expect(recipe(v2).Version).not.toBe(recipe(v1).Version);
    expect(findAll(json(v1.apps), 'Fn::ImportValue')).toEqual([]);
    expect(v1.app.synth().getStackByName('AppImages').dependencies.map(d => d.id)).toContain('Images');
  });

  test('a parent that only a pipeline bakes is named by its recipe\'s x.x.x ARN, which no bake changes', () => {
    const app = new App();
    const images = new Stack(app, 'Images', { env: HOME });
    const base = new GoldenImage(images, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx'] })],
      buildOnDeploy: false,
    });
    const apps = new Stack(app, 'AppImages', { env: HOME });
    new GoldenImage(apps, 'Child', { parentImage: ParentImage.fromGoldenImage(base), provisioners: [Provisioner.shell({ name: 'app', commands: ['echo app'] })] });
    const parent = only(Template.fromStack(apps), 'AWS::ImageBuilder::ImageRecipe').resource.Properties.ParentImage;
    expect(JSON.stringify(parent)).toContain(`image/${base.imageName}/x.x.x`);
    expect(findAll(json(apps), 'Fn::ImportValue')).toEqual([]);
  });
});

/** Replaces every occurrence of each `from` with its `to` in a template. */
function substitute(template: unknown, pairs: Array<[string, string]>): any {
  let text = JSON.stringify(template);
  for (const [from, to] of [...pairs].sort((a, b) => b[0].length - a[0].length)) {
    text = text.split(from).join(to);
  }
  return JSON.parse(text);
}

/** Logical id renames between two stacks whose construct paths differ only in the generation key. */
function logicalIdRenames(before: Stack, after: Stack, oldKey: string, newKey: string): Array<[string, string]> {
  const ids = (stack: Stack) => new Map(elements(stack).map(e => [e.node.path, stack.resolve(e.logicalId) as string]));
  const newIds = ids(after);
  return [...ids(before)].flatMap(([path, id]) => {
    const renamed = newIds.get(path.split(oldKey).join(newKey));
    return renamed !== undefined && renamed !== id ? [[id, renamed] as [string, string]] : [];
  });
}

function elements(scope: IConstruct): CfnElement[] {
  return scope.node.findAll().filter((c): c is CfnElement => CfnElement.isCfnElement(c));
}
