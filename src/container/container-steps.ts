import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ContainerParentConfig } from './container-parent';
import { UPDATE_OS_PACKAGE_MANAGERS } from './package-manager';
import { ComponentsProps, provisionerSteps } from '../image/image-recipe';
import { invalidProp } from '../private/errors';

/**
 * Refuses provisioners a container build cannot run. Image Builder runs each component's
 * AWSTOE document inside `docker build`, in the container: there is no machine to reboot, and
 * UpdateOS needs a package manager AWSTOE drives (apt or yum/dnf).
 * https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html
 */
export function checkContainerSteps(image: IConstruct, props: ComponentsProps, parent: ContainerParentConfig): void {
  for (const { prop, provisioner } of provisionerSteps(props)) {
    if (provisioner.kindName === 'reboot') {
      invalidProp(image, prop, 'Provisioner.reboot()', 'a container build runs the steps inside docker build, where there is no machine to reboot',
        'Remove the reboot; a service a step installs starts when a container runs from the image');
    }
    if (provisioner.kindName !== 'update-os') {
      continue;
    }
    const manager = parent.packageManager;
    if (manager !== undefined && !UPDATE_OS_PACKAGE_MANAGERS.includes(manager)) {
      invalidProp(image, prop, 'Provisioner.updateOs()',
        `the parent ${parent.description} ${manager === 'none' ? 'has no package manager' : `updates with ${manager}`}, and AWSTOE's UpdateOS applies updates with apt or yum/dnf only`,
        manager === 'none' ? 'Remove the step, or start from a distribution image'
          : `Use Provisioner.shell({ commands: ['${manager === 'apk' ? 'apk upgrade --no-cache' : 'zypper --non-interactive update'}'] }) instead`);
    }
    if (manager === undefined) {
      Annotations.of(image).addWarningV2('cdk-immutable-infra:updateOsUnknownParent',
        `${prop} (update-os): the library cannot tell the package manager of ${parent.description}; AWSTOE's UpdateOS applies updates with apt or yum/dnf only`);
    }
  }
}
