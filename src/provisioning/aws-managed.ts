import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { findAwsManagedComponent, suggestAwsManagedComponents } from './aws-managed-components';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { componentParameters } from './step-settings';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

/**
 * Options for an Amazon-managed Image Builder component.
 */
export interface AwsManagedComponentOptions {
  /**
   * The version: `x.x.x` (the latest), `1.x.x`, `1.2.x` or an exact `1.2.3`. A pinned version
   * keeps rebuilds identical; `x.x.x` picks up AWS's fixes on every build.
   *
   * @default 'x.x.x'
   */
  readonly version?: string;

  /**
   * Values for the component's parameters, by name (see the component's document in the
   * Image Builder console). Stored in plain text in the recipe: never put secrets here.
   *
   * @default - the component's defaults
   */
  readonly parameters?: { [name: string]: string };
}

/** `x.x.x`, `1.x.x`, `1.2.x` or `1.2.3`: a wildcard may only replace the trailing nodes. */
const MANAGED_VERSION = /^(?:x\.x\.x|\d+\.x\.x|\d+\.\d+\.x|\d+\.\d+\.\d+)$/;

function platformOf(value: 'Linux' | 'Windows'): OsFamily {
  return value === 'Windows' ? OsFamily.WINDOWS : OsFamily.LINUX;
}

/** `Provisioner.awsManaged(name)`: an Amazon-owned component, referenced by ARN. */
export class AwsManagedComponent implements ProvisionerKind {
  public readonly kindName = 'aws-managed';

  constructor(private readonly componentName: string, private readonly options: AwsManagedComponentOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const name = this.componentName;
    if (Token.isUnresolved(name)) {
      invalidProp(context.scope, context.prop, name, 'the name of an Amazon-managed component must be known at synth time',
        'Give the name as a plain string, e.g. \'aws-cli-version-2-linux\'');
    }
    const info = findAwsManagedComponent(name);
    if (!info) {
      const suggestions = suggestAwsManagedComponents(name, 3, context.osFamily);
      const didYouMean = suggestions.length > 0 ? ` Did you mean ${suggestions.map(s => `'${s}'`).join(', ')}?` : '';
      invalidProp(context.scope, context.prop, name, 'no Amazon-managed component of that name is known',
        `Use the name as it appears in the component ARN.${didYouMean} For a component that is not in this library's catalogue `
        + '(a newer one, or your own), use Provisioner.fromComponentArn(arn, { platform })');
    }
    const platform = platformOf(info.platform);
    if (platform !== context.osFamily) {
      const suggestions = suggestAwsManagedComponents(name.replace(/-(linux|windows)$/, ''), 3, context.osFamily);
      const instead = suggestions.length > 0 ? ` For ${context.osFamily} try ${suggestions.map(s => `'${s}'`).join(', ')}.` : '';
      invalidProp(context.scope, context.prop, name, `'${name}' is a ${info.platform} component and the parent image is ${context.osFamily}`,
        `Use a ${context.osFamily} component.${instead}`);
    }
    const version = this.options.version ?? 'x.x.x';
    if (!Token.isUnresolved(version) && !MANAGED_VERSION.test(version)) {
      invalidProp(context.scope, `${context.prop}.version`, version, 'a component version is x.x.x, N.x.x, N.N.x or N.N.N',
        'Give \'x.x.x\' for the latest, or pin one such as \'1.0.2\'');
    }
    if (info.legacy) {
      Annotations.of(context.scope).addWarningV2('cdk-immutable-infra:legacyManagedComponent',
        `${context.prop}: '${name}' is missing from AWS's latest list of managed components (renamed or retired): the build may fail to find it`);
    }
    const stack = Stack.of(context.scope);
    return {
      name: context.defaultName,
      platform,
      componentArn: stack.formatArn({ service: 'imagebuilder', account: 'aws', resource: 'component', resourceName: `${name}/${version}` }),
      componentIdentity: `aws-managed:${name}/${version}`,
      parameters: componentParameters(context, this.options.parameters),
    };
  }
}
