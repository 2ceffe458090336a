import { Os, RunnerImageBuilder, RunnerImageBuilderType, RunnerImageComponent } from '@cloudsnorkel/cdk-github-runners';
import { ImageBuilder } from '../bench-case';
import { al2023ParentArn, INSTALL_NGINX, sharedVpc } from '../benchmark-image';

/**
 * cdk-github-runners' AMI builder (`RunnerImageBuilder` with the AWS Image Builder type), with
 * no components but ours: the runner itself, git, docker and the rest are left out. `bindAmi()`
 * is what makes it synthesise the AMI pipeline; it bakes at deploy through its own custom
 * resource and rebuilds weekly. Without a `vpc` it looks up the account's default VPC, which
 * offline synthesises against CDK's placeholder ids (and the validator warns about them), so it
 * gets the stack's shared VPC, counted apart.
 */
export const cdkGithubRunners: ImageBuilder = (stack, index) => {
  const builder = RunnerImageBuilder.new(stack, `Builder${index}`, {
    builderType: RunnerImageBuilderType.AWS_IMAGE_BUILDER,
    os: Os.LINUX_AMAZON_2023,
    baseAmi: al2023ParentArn(stack),
    vpc: sharedVpc(stack),
    components: [RunnerImageComponent.custom({ name: 'install-nginx', commands: INSTALL_NGINX })],
  });
  builder.bindAmi();
};
