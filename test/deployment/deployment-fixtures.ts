import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { DeploymentImage } from '../../src/deployment/deployment-image';
import { ImmutableDeployment } from '../../src/deployment/immutable-deployment';
import { ImmutableDeploymentProps } from '../../src/deployment/immutable-deployment-props';

export const AMI = 'ami-0123456789abcdef0';
export const OTHER_AMI = 'ami-0fedcba9876543210';
export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A stack with a VPC (two AZs, one NAT gateway), the usual home of a deployment. */
export function newStack(props: StackProps = {}, id = 'Stack', context: Record<string, unknown> = {}): { app: App; stack: Stack; vpc: ec2.Vpc } {
  const app = new App({ context });
  const stack = new Stack(app, id, props);
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  return { app, stack, vpc };
}

/** The props most tests start from; `overrides` win. */
export function baseProps(vpc: ec2.IVpc, overrides: Partial<ImmutableDeploymentProps> = {}): ImmutableDeploymentProps {
  return {
    vpc,
    image: DeploymentImage.fromAmiId(AMI),
    instanceType: new ec2.InstanceType('t3.small'),
    capacity: { min: 2, max: 6 },
    ...overrides,
  };
}

/** A stack with one deployment called 'Web'. */
export function deploy(overrides: Partial<ImmutableDeploymentProps> = {}): { stack: Stack; deployment: ImmutableDeployment; template: Template } {
  const { stack, vpc } = newStack();
  const deployment = new ImmutableDeployment(stack, 'Web', baseProps(vpc, overrides));
  return { stack, deployment, template: Template.fromStack(stack) };
}

/** Logical ids of the resources of one type. */
export function logicalIds(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type)).sort();
}

/** The one resource of a type (fails when there is not exactly one). */
export function only(template: Template, type: string): { id: string; resource: any } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) {
    throw new Error(`expected one ${type}, found ${found.length}`);
  }
  return { id: found[0][0], resource: found[0][1] };
}

/** The release custom resource's properties. */
export function releaseProperties(template: Template): Record<string, any> {
  return only(template, 'Custom::ImmutableRelease').resource.Properties;
}

/** Resource counts by type. */
export function countByType(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values<any>(template.toJSON().Resources)) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}
