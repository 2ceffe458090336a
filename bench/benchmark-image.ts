import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * What every case builds: one image from an Amazon Linux 2023 parent with one shell step that
 * installs nginx. Peers that take a component document get this one, word for word.
 */
export const INSTALL_NGINX = ['dnf install -y nginx', 'systemctl enable nginx'];

export const COMPONENT_YAML = [
  'name: install-nginx',
  'schemaVersion: 1.0',
  'phases:',
  '  - name: build',
  '    steps:',
  '      - name: install-nginx',
  '        action: ExecuteBash',
  '        inputs:',
  '          commands:',
  ...INSTALL_NGINX.map(c => `            - ${c}`),
  '',
].join('\n');

/** Image Builder's managed Amazon Linux 2023 image, latest version: the parent everyone uses. */
export function al2023ParentArn(stack: Stack): string {
  return `arn:${stack.partition}:imagebuilder:${stack.region}:aws:image/amazon-linux-2023-x86/x.x.x`;
}

const SHARED_VPC_ID = 'SharedVpc';

/**
 * One small VPC per stack, for the cases that need one (deployments, and peers that require a
 * VPC). The economy figures count its resources apart from the per-image ones.
 */
export function sharedVpc(stack: Stack): ec2.Vpc {
  const existing = stack.node.tryFindChild(SHARED_VPC_ID) as ec2.Vpc | undefined;
  return existing ?? new ec2.Vpc(stack, SHARED_VPC_ID, { maxAzs: 2, natGateways: 1 });
}

export function sharedVpcOf(stack: Stack): ec2.Vpc | undefined {
  return stack.node.tryFindChild(SHARED_VPC_ID) as ec2.Vpc | undefined;
}
