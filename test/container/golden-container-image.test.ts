import { App, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ContainerParent, GoldenContainerImage, ImageRetention, ImageWorkflow, PipelineSchedule, Provisioner } from '../../src';
import { ENV, containerStack, onlyResource, resourcesOf } from '../support/stacks';


describe('GoldenContainerImage', () => {
  test('synthesises a Docker container recipe with the Image Builder placeholders, its components, repository, encrypted build root and working directory', () => {
    const { stack } = containerStack({ workingDirectory: '/opt/build', description: 'app base' });
    const template = Template.fromStack(stack);
    const recipe = onlyResource(template, 'AWS::ImageBuilder::ContainerRecipe').props;
    expect(recipe.ContainerType).toBe('DOCKER');
    expect(recipe.ParentImage).toBe('debian:bookworm');
    expect(recipe.DockerfileTemplateData).toBe('FROM {{{ imagebuilder:parentImage }}}\n{{{ imagebuilder:environments }}}\n{{{ imagebuilder:components }}}\n');
    expect(recipe.TargetRepository).toEqual({ Service: 'ECR', RepositoryName: { Ref: expect.stringMatching(/^AppImageRepository/) } });
    expect(recipe.WorkingDirectory).toBe('/opt/build');
    expect(recipe.Description).toBe('app base');
    expect(recipe.InstanceConfiguration.BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, DeleteOnTermination: true, VolumeType: 'gp3' } },
    ]);
    expect(recipe.Components).toHaveLength(1);
    const component = onlyResource(template, 'AWS::ImageBuilder::Component').props;
    expect(component.Platform).toBe('Linux');
    expect(component.Data).toContain('apt-get install -y curl');
    expect(recipe.Version).toMatch(/^1\.0\.\d+$/);
  });

  test('creates an immutable, scanned, KMS-encrypted repository keeping the newest 20 images by default', () => {
    const template = Template.fromStack(containerStack().stack);
    const repo = onlyResource(template, 'AWS::ECR::Repository');
    expect(repo.props.ImageTagMutability).toBe('IMMUTABLE');
    expect(repo.props.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(repo.props.EncryptionConfiguration).toEqual({ EncryptionType: 'KMS' });
    expect(JSON.parse(repo.props.LifecyclePolicy.LifecyclePolicyText).rules[0].selection).toEqual({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 20 });
    expect(template.findResources('AWS::ECR::Repository')[repo.id].DeletionPolicy).toBe('Retain');
    // Image Builder's lifecycle policies delete container images only in repositories tagged so.
    expect(repo.props.Tags).toEqual([{ Key: 'LifecycleExecutionAccess', Value: 'EC2 Image Builder' }]);
  });

  test('keepImages sets the lifecycle rule', () => {
    const template = Template.fromStack(containerStack({ keepImages: 5 }).stack);
    const repo = onlyResource(template, 'AWS::ECR::Repository');
    expect(JSON.parse(repo.props.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(5);
  });

  test('a given repository is the target and none is created; the build role may push to it only', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const repository = ecr.Repository.fromRepositoryName(stack, 'Repo', 'team/app-base');
    new GoldenContainerImage(stack, 'AppImage', {
      parentImage: ContainerParent.fromDockerHub('debian:bookworm'),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
      repository,
    });
    const template = Template.fromStack(stack);
    expect(resourcesOf(template, 'AWS::ECR::Repository')).toHaveLength(0);
    expect(onlyResource(template, 'AWS::ImageBuilder::ContainerRecipe').props.TargetRepository.RepositoryName).toBe('team/app-base');
    const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(p => p.props.PolicyDocument.Statement);
    const push = statements.find((s: any) => [s.Action].flat().includes('ecr:PutImage'));
    expect(JSON.stringify(push.Resource)).toContain('repository/team/app-base');
  });

  test('the build role has Image Builder\'s container builds policy, and the infrastructure requires IMDSv2', () => {
    const template = Template.fromStack(containerStack().stack);
    const role = resourcesOf(template, 'AWS::IAM::Role').find(r => r.id.startsWith('AppImageInstanceRole'))!;
    expect(JSON.stringify(role.props.ManagedPolicyArns)).toContain('EC2InstanceProfileForImageBuilderECRContainerBuilds');
    const infra = onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props;
    expect(infra.InstanceMetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
    expect(infra.InstanceTypes).toEqual(['t3.medium']);
  });

  test('the image is built at deploy from the container recipe, tagged for retirement', () => {
    const template = Template.fromStack(containerStack().stack);
    const image = onlyResource(template, 'AWS::ImageBuilder::Image').props;
    expect(image.ContainerRecipeArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppImageRecipe/), 'Arn'] });
    expect(image.ImageRecipeArn).toBeUndefined();
    expect(image.ImageTestsConfiguration).toEqual({ ImageTestsEnabled: false });
    expect(Object.keys(image.Tags)).toEqual(['cdk-immutable-infra:image']);
  });

  test('buildOnDeploy: false builds nothing, and imageUri says why', () => {
    const { stack, image } = containerStack({ buildOnDeploy: false });
    expect(resourcesOf(Template.fromStack(stack), 'AWS::ImageBuilder::Image')).toHaveLength(0);
    expect(() => image.imageUri).toThrow(/Bake\/AppImage: imageUri is not available because buildOnDeploy is false/);
  });

  test('the distribution has the build region\'s repository with its tags, and other regions\' repositories', () => {
    const app = new App();
    const stack = new Stack(app, 'Bake', { env: ENV });
    const mutable = new ecr.Repository(stack, 'Mutable', { imageTagMutability: ecr.TagMutability.MUTABLE });
    new GoldenContainerImage(stack, 'AppImage', {
      parentImage: ContainerParent.fromDockerHub('debian:bookworm'),
      provisioners: [Provisioner.shell({ commands: ['true'] })],
      repository: mutable,
      containerTags: ['stable'],
      distribution: [{ region: 'us-east-1', repositoryName: 'app-base', containerTags: ['stable', 'us'] }],
    });
    const dist = onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::DistributionConfiguration').props;
    expect(dist.Distributions).toEqual([
      { Region: 'eu-west-1', ContainerDistributionConfiguration: { TargetRepository: { Service: 'ECR', RepositoryName: { Ref: expect.stringMatching(/^Mutable/) } }, ContainerTags: ['stable'] } },
      { Region: 'us-east-1', ContainerDistributionConfiguration: { TargetRepository: { Service: 'ECR', RepositoryName: 'app-base' }, ContainerTags: ['stable', 'us'] } },
    ]);
  });

  test('typed Dockerfile instructions are rendered after the components, sorted and quoted', () => {
    const { image } = containerStack({
      dockerfile: {
        environment: { PORT: '8080', GREETING: 'say "hi" for $5' },
        exposedPorts: [8080, 443, 8080],
        user: 'app:app',
        entrypoint: ['/usr/bin/tini', '--'],
        command: ['app', '--port', '8080'],
        labels: { 'org.opencontainers.image.source': 'https://example.com/app' },
      },
    });
    expect(image.dockerfileTemplate.split('\n')).toEqual([
      'FROM {{{ imagebuilder:parentImage }}}',
      '{{{ imagebuilder:environments }}}',
      '{{{ imagebuilder:components }}}',
      'LABEL "org.opencontainers.image.source"="https://example.com/app"',
      'ENV GREETING="say \\"hi\\" for \\$5" PORT="8080"',
      'EXPOSE 443 8080',
      'USER app:app',
      'ENTRYPOINT ["/usr/bin/tini","--"]',
      'CMD ["app","--port","8080"]',
      '',
    ]);
  });

  test('the recipe version is derived from its content: same content, same version; a changed Dockerfile, parent or step, a new one', () => {
    const version = (props: Parameters<typeof containerStack>[0]) => containerStack(props).image.containerRecipeVersion;
    const base = version({});
    expect(version({})).toBe(base);
    expect(version({ dockerfile: { user: 'app' } })).not.toBe(base);
    expect(version({ parentImage: ContainerParent.fromDockerHub('debian:trixie') })).not.toBe(base);
    expect(version({ provisioners: [Provisioner.shell({ name: 'install-curl', commands: ['apt-get install -y wget'] })] })).not.toBe(base);
    expect(version({ rebuildKey: '2' })).not.toBe(base);
  });

  test('re-synthesis is byte-identical', () => {
    const json = () => JSON.stringify(Template.fromStack(containerStack({ dockerfile: { environment: { B: '2', A: '1' } } }).stack).toJSON());
    expect(json()).toBe(json());
  });

  test('containerImage runs the image by its URI and lets the task execution role pull it; grantPull grants the repository', () => {
    const { stack, image } = containerStack();
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: image.containerImage });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    image.grantPull(reader);
    const template = Template.fromStack(stack);
    const definition = onlyResource(template, 'AWS::ECS::TaskDefinition').props;
    expect(definition.ContainerDefinitions[0].Image).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppImage[0-9A-F]{8}$/), 'ImageUri'] });
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    for (const prefix of ['TaskExecutionRoleDefaultPolicy', 'ReaderDefaultPolicy']) {
      const policy = policies.find(p => p.id.startsWith(prefix))!;
      expect(JSON.stringify(policy.props.PolicyDocument)).toContain('ecr:BatchGetImage');
    }
  });

  test('imageUri used in another stack fails synth naming the fix', () => {
    const { app, image } = containerStack();
    const other = new Stack(app, 'Service', { env: ENV });
    new ecs.FargateTaskDefinition(other, 'Task').addContainer('app', { image: image.containerImage });
    expect(() => app.synth()).toThrow(/Bake\/AppImage: invalid imageUri 'used in Service'.*ecs\.ContainerImage\.fromEcrRepository/);
  });

  describe('parents', () => {
    const parentOf = (parent: ContainerParent) => onlyResource(Template.fromStack(containerStack({ parentImage: parent }).stack), 'AWS::ImageBuilder::ContainerRecipe').props.ParentImage;

    test('Docker Hub, ECR Public and Image Builder managed images', () => {
      expect(parentOf(ContainerParent.fromDockerHub('library/ubuntu:24.04'))).toBe('library/ubuntu:24.04');
      expect(parentOf(ContainerParent.fromEcrPublic('public.ecr.aws/docker/library/debian:bookworm'))).toBe('public.ecr.aws/docker/library/debian:bookworm');
      expect(parentOf(ContainerParent.fromManagedImage('amazon-linux-x86-latest'))).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':imagebuilder:eu-west-1:aws:image/amazon-linux-x86-latest/x.x.x']],
      });
    });

    test('an ECR repository by tag, which the build role may pull', () => {
      const app = new App();
      const stack = new Stack(app, 'Bake', { env: ENV });
      const base = ecr.Repository.fromRepositoryName(stack, 'Base', 'debian-hardened');
      new GoldenContainerImage(stack, 'AppImage', { parentImage: ContainerParent.fromEcr(base, '12.4'), provisioners: [Provisioner.shell({ commands: ['true'] })] });
      const template = Template.fromStack(stack);
      expect(JSON.stringify(onlyResource(template, 'AWS::ImageBuilder::ContainerRecipe').props.ParentImage)).toContain('/debian-hardened:12.4');

      const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(p => p.props.PolicyDocument.Statement);
      expect(statements.some((s: any) => [s.Action].flat().includes('ecr:BatchGetImage') && JSON.stringify(s.Resource).includes('repository/debian-hardened'))).toBe(true);
    });

    test('an ECR repository by digest; a tag ECR would refuse', () => {
      const app = new App();
      const stack = new Stack(app, 'Bake', { env: ENV });
      const base = ecr.Repository.fromRepositoryName(stack, 'Base', 'debian-hardened');
      const digest = `sha256:${'a'.repeat(64)}`;
      new GoldenContainerImage(stack, 'Pinned', { parentImage: ContainerParent.fromEcr(base, digest), provisioners: [Provisioner.shell({ commands: ['true'] })] });
      expect(() => new GoldenContainerImage(stack, 'Bad', { parentImage: ContainerParent.fromEcr(base, 'v 1'), provisioners: [Provisioner.shell({ commands: ['true'] })] }))
        .toThrow(/Bake\/Bad: invalid parentImage tag 'v 1'/);
      const pinned = resourcesOf(Template.fromStack(stack), 'AWS::ImageBuilder::ContainerRecipe').find(r => r.id.startsWith('PinnedRecipe'))!;
      expect(JSON.stringify(pinned.props.ParentImage)).toContain(`/debian-hardened@${digest}`);
    });

    test('another golden container image: its build is the parent and its repository may be pulled', () => {
      const { stack, image: base } = containerStack();
      const app = new GoldenContainerImage(stack, 'Service', {
        parentImage: ContainerParent.fromGoldenContainerImage(base),
        provisioners: [Provisioner.updateOs()],
      });
      const recipes = resourcesOf(Template.fromStack(stack), 'AWS::ImageBuilder::ContainerRecipe');
      expect(recipes.find(r => r.id.startsWith('ServiceRecipe'))!.props.ParentImage).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppImage[0-9A-F]{8}$/), 'Arn'] });
      expect(app.parentReference).toBe('debian:bookworm');
    });
  });

  describe('bad input is refused at synth with path, prop, value and fix', () => {
    test.each([
      ['debian', /Bake\/AppImage: invalid parentImage 'debian': it names no tag or digest.*Add a tag or a digest/],
      ['Debian:12', /invalid parentImage 'Debian:12': it is not a Docker Hub reference.*Give a reference such as/],
      ['debian:bookworm slim', /invalid parentImage 'debian:bookworm slim': it is not a Docker Hub reference/],
      ['docker.io:5000/debian:12', /invalid parentImage/],
    ])('Docker Hub reference %s', (reference, message) => {
      expect(() => containerStack({ parentImage: ContainerParent.fromDockerHub(reference) })).toThrow(message);
    });

    test('an ECR Public reference elsewhere, a Windows managed image', () => {
      expect(() => containerStack({ parentImage: ContainerParent.fromEcrPublic('docker.io/debian:12') })).toThrow(/invalid parentImage 'docker\.io\/debian:12'.*starts with public\.ecr\.aws\//);
      expect(() => containerStack({ parentImage: ContainerParent.fromManagedImage('windows-server-2022') })).toThrow(/Linux containers only/);
    });

    test('a reboot step', () => {
      expect(() => containerStack({ provisioners: [Provisioner.shell({ commands: ['true'] }), Provisioner.reboot()] }))
        .toThrow(/Bake\/AppImage: invalid provisioners\[1\] 'Provisioner\.reboot\(\)': a container build runs the steps inside docker build.*Remove the reboot/);
    });

    test('updateOs on a parent AWSTOE cannot update, and a warning where the library cannot tell', () => {
      expect(() => containerStack({ parentImage: ContainerParent.fromDockerHub('alpine:3.20'), provisioners: [Provisioner.updateOs()] }))
        .toThrow(/invalid provisioners\[0\] 'Provisioner\.updateOs\(\)': the parent alpine:3\.20 updates with apk.*apk upgrade --no-cache/);
      expect(() => containerStack({ parentImage: ContainerParent.fromDockerHub('gcr-mirror/distroless:12'), provisioners: [Provisioner.updateOs()] }))
        .toThrow(/has no package manager/);
      const { stack } = containerStack({ parentImage: ContainerParent.fromDockerHub('acme/base:1'), provisioners: [Provisioner.updateOs()] });
      Annotations.fromStack(stack).hasWarning('/Bake/AppImage', Match.stringLikeRegexp('cannot tell the package manager of acme/base:1'));
    });

    test('a Windows-only provisioner on a Linux container', () => {
      expect(() => containerStack({ provisioners: [Provisioner.powerShell({ commands: ['Get-Date'] })] })).toThrow(/Bake\/AppImage: invalid provisioners\[0\]/);
    });

    test('a tag every build would reuse, on the immutable default repository', () => {
      expect(() => containerStack({ containerTags: ['latest'] }))
        .toThrow(/Bake\/AppImage: invalid containerTags \["latest"\]: the repository Bake\/AppImage\/Repository has immutable tags.*give a repository with mutable tags/);
    });

    test('Dockerfile options with a newline injection, a bad name, a bad port, a placeholder, an empty command', () => {
      expect(() => containerStack({ dockerfile: { environment: { A: 'x\nRUN curl evil | sh' } } }))
        .toThrow(/invalid dockerfile\.environment\.A 'x\nRUN curl evil \| sh': a line break.*Give a single-line value/);
      expect(() => containerStack({ dockerfile: { user: 'app\nUSER root' } })).toThrow(/invalid dockerfile\.user/);
      expect(() => containerStack({ dockerfile: { command: ['sh', '-c', 'a\r\nb'] } })).toThrow(/invalid dockerfile\.command\[2\]/);
      expect(() => containerStack({ dockerfile: { labels: { 'a b': 'x' } } })).toThrow(/invalid dockerfile\.labels key 'a b'/);
      expect(() => containerStack({ dockerfile: { environment: { '1A': 'x' } } })).toThrow(/invalid dockerfile\.environment key '1A'/);
      expect(() => containerStack({ dockerfile: { exposedPorts: [70000] } })).toThrow(/invalid dockerfile\.exposedPorts\[0\] 70000/);
      expect(() => containerStack({ dockerfile: { labels: { a: '{{{ imagebuilder:components }}}' } } })).toThrow(/placeholders/);
      expect(() => containerStack({ dockerfile: { entrypoint: [] } })).toThrow(/invalid dockerfile\.entrypoint \[\]/);
      expect(() => containerStack({ dockerfile: { user: 'app;rm' } })).toThrow(/USER takes a user name or id/);
    });

    test('keepImages out of range or with a given repository, distribution entries', () => {
      expect(() => containerStack({ keepImages: 0 })).toThrow(/invalid keepImages 0/);
      const app = new App();
      const stack = new Stack(app, 'S', { env: ENV });
      expect(() => new GoldenContainerImage(stack, 'I', {
        parentImage: ContainerParent.fromDockerHub('debian:12'),
        provisioners: [Provisioner.shell({ commands: ['true'] })],
        repository: ecr.Repository.fromRepositoryName(stack, 'R', 'r'),
        keepImages: 3,
      })).toThrow(/invalid keepImages 3: it sets the lifecycle rule of the repository the image creates/);
      expect(() => containerStack({ distribution: [{ region: 'eu-west-1', repositoryName: 'x' }] })).toThrow(/invalid distribution\[0\]\.region 'eu-west-1': it is the build region/);
      expect(() => containerStack({ distribution: [{ region: 'us-east-1', repositoryName: 'Bad Name' }] })).toThrow(/invalid distribution\[0\]\.repositoryName/);
      expect(() => containerStack({ distribution: [{ region: 'us-east-1', repositoryName: 'x', containerTags: ['a\nb'] }] })).toThrow(/invalid distribution\[0\]\.containerTags\[0\]/);
    });

    test('no steps at all, or tests only', () => {
      expect(() => containerStack({ provisioners: [] })).toThrow(/Bake\/AppImage: invalid provisioners \[\]/);
      expect(() => containerStack({ provisioners: [], tests: [Provisioner.shell({ commands: ['true'] })] }))
        .toThrow(/Bake\/AppImage: invalid provisioners \[\]: a container recipe needs at least one build component/);
    });
  });

  describe('pipelines', () => {
    test('rebake the container recipe on a schedule, scan a copy in Image Builder\'s scanning repository, and retire old container images', () => {
      const { stack, image } = containerStack();
      const pipeline = image.addPipeline('Rebake', {
        schedule: PipelineSchedule.manual(),
        vulnerabilityScanning: true,
        keepImages: ImageRetention.count(10),
        notifications: { emails: ['ops@example.com'] },
      });
      const template = Template.fromStack(stack);
      const props = onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props;
      expect(props.ContainerRecipeArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppImageRecipe/), 'Arn'] });
      expect(props.ImageRecipeArn).toBeUndefined();
      // Not the image's own repository: its tags are immutable, and the docs do not say which tag the scan copy takes.
      expect(props.ImageScanningConfiguration).toEqual({ ImageScanningEnabled: true });
      const policy = onlyResource(template, 'AWS::ImageBuilder::LifecyclePolicy').props;
      expect(policy.ResourceType).toBe('CONTAINER_IMAGE');
      expect(policy.PolicyDetails[0].Action).toEqual({ Type: 'DELETE', IncludeResources: { Containers: true } });
      expect(policy.PolicyDetails[0].ExclusionRules).toBeUndefined();
      expect(policy.ResourceSelection).toEqual({ TagMap: { 'cdk-immutable-infra:image': image.imageName } });
      expect(pipeline.notificationTopic).toBeDefined();
      expect(onlyResource(template, 'AWS::ImageBuilder::InfrastructureConfiguration').props.SnsTopicArn).toBeDefined();
    });

    test('workflows are refused: they run in AMI builds (container builds have their own, and a test stage launches the build\'s AMI)', () => {
      const { image } = containerStack();
      expect(() => image.addPipeline('Rebake', { workflows: [ImageWorkflow.testStage({ name: 'smoke', commands: ['true'] })] }))
        .toThrow(/^Bake\/AppImage\/Rebake: invalid workflows '1 workflow\(s\)': workflows run in AMI builds, and this pipeline builds a container image\. Remove workflows/);
    });

    test('a parent-update trigger rebuilds when the parent has a newer version', () => {
      const { stack, image } = containerStack({ parentImage: ContainerParent.fromManagedImage('amazon-linux-x86-latest') });
      image.addPipeline('Rebake');
      expect(onlyResource(Template.fromStack(stack), 'AWS::ImageBuilder::ImagePipeline').props.Schedule.PipelineExecutionStartCondition)
        .toBe('EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE');
    });

    test('runOnDeploy gives the container image\'s URI, and imageId says it is for AMIs', () => {
      const { stack, image } = containerStack({ buildOnDeploy: false });
      const pipeline = image.addPipeline('Rebake', { runOnDeploy: true });
      new CfnOutput(stack, 'Uri', { value: pipeline.imageUri });
      expect(Template.fromStack(stack).toJSON().Outputs.Uri.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AppImageRebakeDeployRun/), 'ImageUri'] });
      expect(() => pipeline.imageId).toThrow(/Bake\/AppImage\/Rebake: imageId is an AMI id, and this pipeline builds a container image\. Use imageUri/);
    });

    test('AMI-only pipeline options are refused with the fix', () => {
      const { image } = containerStack();
      expect(() => image.addPipeline('A', { distribution: [{ region: 'us-east-1' }] }))
        .toThrow(/Bake\/AppImage\/A: invalid distribution '1 region\(s\)': it distributes AMIs.*GoldenContainerImageProps\.distribution/);
      const { image: other } = containerStack();
      expect(() => other.addPipeline('B', { keepImages: ImageRetention.count(3), keepImagesLaunchedWithin: Duration.days(7) }))
        .toThrow(/invalid keepImagesLaunchedWithin '7 days'.*AMIs only/);
    });
  });
});
