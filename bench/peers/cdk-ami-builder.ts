import { ImagePipeline } from '@jjrawlins/cdk-ami-builder';
import { ImageBuilder } from '../bench-case';
import { al2023ParentArn, INSTALL_NGINX, sharedVpc } from '../benchmark-image';

/**
 * @jjrawlins/cdk-ami-builder: an image pipeline started at deploy time by a Step Functions
 * state machine behind a custom resource. It requires a VPC (an `ec2.Vpc`, not an `IVpc`);
 * the stack's shared one is counted apart.
 */
export const cdkAmiBuilder: ImageBuilder = (stack, index) => {
  new ImagePipeline(stack, `Pipeline${index}`, {
    vpc: sharedVpc(stack),
    parentImage: al2023ParentArn(stack),
    components: [{
      name: `install-nginx-${index}`,
      platform: 'Linux',
      componentDocument: {
        phases: [{ name: 'build', steps: [{ name: 'install-nginx', action: 'ExecuteBash', inputs: { commands: INSTALL_NGINX } }] }],
      },
    }],
  });
};
