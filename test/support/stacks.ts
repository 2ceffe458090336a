import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainerParent, GoldenContainerImage, GoldenContainerImageProps, GoldenImage, GoldenImageProps, ParentImage, Provisioner } from '../../src';
import { ImagePipeline, ImagePipelineOptions } from '../../src/pipeline/image-pipeline';

/** The account and region every test stack deploys to. */
export const ENV = { account: '123456789012', region: 'eu-west-1' };

/** A stack with a small golden image (one build step, one test). */
export function imageStack(imageProps: Partial<GoldenImageProps> = {}): { app: App; stack: Stack; image: GoldenImage } {
  const app = new App();
  const stack = new Stack(app, 'Bake', { env: ENV });
  const image = new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.amazonLinux2023(),
    provisioners: [Provisioner.shell({ name: 'install-nginx', commands: ['dnf install -y nginx'] })],
    tests: [Provisioner.shell({ name: 'serves', commands: ['systemctl start nginx', 'curl -fsS localhost'] })],
    ...imageProps,
  });
  return { app, stack, image };
}

/** A stack with an image and one pipeline of it. */
export function pipelineStack(options: ImagePipelineOptions = {}, imageProps: Partial<GoldenImageProps> = {}):
{ stack: Stack; image: GoldenImage; pipeline: ImagePipeline; template: Template } {
  const { stack, image } = imageStack(imageProps);
  const pipeline = image.addPipeline('Rebake', options);
  return { stack, image, pipeline, template: Template.fromStack(stack) };
}

/** The properties of every resource of a type, by logical id. */
export function resourcesOf(template: Template, type: string): Array<{ id: string; props: any }> {
  return Object.entries(template.findResources(type)).map(([id, r]) => ({ id, props: (r as any).Properties }));
}

/** The properties of the one resource of a type. */
export function onlyResource(template: Template, type: string): { id: string; props: any } {
  const found = resourcesOf(template, type);
  if (found.length !== 1) {
    throw new Error(`expected one ${type}, found ${found.length}`);
  }
  return found[0];
}

/** The properties of the one image pipeline. */
export function pipelineProps(template: Template): any {
  return onlyResource(template, 'AWS::ImageBuilder::ImagePipeline').props;
}

/** The message of the error thrown by `fn`. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** A stack with a small golden container image (Debian from Docker Hub, one build step). */
export function containerStack(imageProps: Partial<GoldenContainerImageProps> = {}): { app: App; stack: Stack; image: GoldenContainerImage } {
  const app = new App();
  const stack = new Stack(app, 'Bake', { env: ENV });
  const image = new GoldenContainerImage(stack, 'AppImage', {
    parentImage: ContainerParent.fromDockerHub('debian:bookworm'),
    provisioners: [Provisioner.shell({ name: 'install-curl', commands: ['apt-get update', 'apt-get install -y curl'] })],
    ...imageProps,
  });
  return { app, stack, image };
}
