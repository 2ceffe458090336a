import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ImageBuilder } from './bench-case';
import { INSTALL_NGINX, sharedVpc } from './benchmark-image';
import { DeploymentImage, GoldenImage, ImmutableDeployment, ParentImage, Provisioner } from '../src';

/** This library: the image, baked during deployment. */
export const goldenImage: ImageBuilder = (stack, index) => {
  new GoldenImage(stack, `Web${index}`, {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: INSTALL_NGINX })],
  });
};

/** This library: the image rolled out behind its own load balancer, in the stack's shared VPC. */
export const goldenDeployment: ImageBuilder = (stack, index) => {
  const image = new GoldenImage(stack, `Web${index}`, {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: INSTALL_NGINX })],
  });
  new ImmutableDeployment(stack, `Deploy${index}`, {
    vpc: sharedVpc(stack),
    image: DeploymentImage.fromGoldenImage(image),
    instanceType: new ec2.InstanceType('t3.small'),
    capacity: { min: 2, max: 6 },
    healthCheck: { path: '/' },
  });
};
