import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { findAwsManagedComponent, suggestAwsManagedComponents } from './aws-managed-components';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { refuseCredentialVariables } from './step-settings';
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

/**
 * Options for an existing Image Builder component used by ARN.
 */
export interface ExistingComponentOptions {
  /**
   * The platform the component is for: it must match the parent image, and nothing at synth
   * time can tell it from the ARN.
   */
  readonly platform: OsFamily;

  /**
   * Values for the component's parameters, by name. Stored in plain text in the recipe.
   *
   * @default - the component's defaults
   */
  readonly parameters?: { [name: string]: string };
}

/** `x.x.x`, `1.x.x`, `1.2.x` or `1.2.3`: a wildcard may only replace the trailing nodes. */
const MANAGED_VERSION = /^(?:x\.x\.x|\d+\.x\.x|\d+\.\d+\.x|\d+\.\d+\.\d+)$/;

/**
 * An Image Builder component ARN: `arn:<partition>:imagebuilder:<region>:<account or aws>:component/<name>/<version>[/<build>]`.
 */
const COMPONENT_ARN = /^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(?:\d{12}|aws):component\/[A-Za-z0-9_-]+\/(?:x|\d+)\.(?:x|\d+)\.(?:x|\d+)(?:\/\d+)?$/;

function platformOf(value: 'Linux' | 'Windows'): OsFamily {
  return value === 'Windows' ? OsFamily.WINDOWS : OsFamily.LINUX;
}

function checkParameters(context: ProvisionerBindContext, parameters: Record<string, string> | undefined): Record<string, string> | undefined {
  if (parameters === undefined) {
    return undefined;
  }
  for (const name of Object.keys(parameters)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      invalidProp(context.scope, `${context.prop}.parameters`, name, 'a component parameter name holds letters, digits, hyphens and underscores',
        'Use the parameter name exactly as the component declares it');
    }
  }
  refuseCredentialVariables(context, 'parameters', parameters);
  return { ...parameters };
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
      parameters: checkParameters(context, this.options.parameters),
    };
  }
}

/** `Provisioner.fromComponentArn()`: any existing component, by ARN. */
export class ExistingComponent implements ProvisionerKind {
  public readonly kindName = 'component';

  constructor(private readonly componentArn: string, private readonly options: ExistingComponentOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const arn = this.componentArn;
    if (Token.isUnresolved(arn)) {
      // The ARN keys the image's identity, and a token's text is not stable across syntheses.
      invalidProp(context.scope, context.prop, arn, 'the component ARN must be known at synth time: it is part of the image\'s identity',
        'Give the ARN as a plain string (e.g. \'arn:aws:imagebuilder:eu-west-1:123456789012:component/my-component/1.0.0\'); '
        + 'for a component defined in this app, use a provisioner instead (Provisioner.fromComponentDocument())');
    }
    if (!COMPONENT_ARN.test(arn)) {
      invalidProp(context.scope, context.prop, arn, 'not an Image Builder component ARN',
        'Give arn:<partition>:imagebuilder:<region>:<account or aws>:component/<name>/<version>, where the version is N.N.N or has x wildcards');
    }
    const platform = this.options.platform;
    if (platform !== OsFamily.LINUX && platform !== OsFamily.WINDOWS) {
      invalidProp(context.scope, `${context.prop}.platform`, platform, 'the platform of the component is required', 'Give OsFamily.LINUX or OsFamily.WINDOWS');
    }
    if (platform !== context.osFamily) {
      invalidProp(context.scope, `${context.prop}.platform`, platform, `the component is for ${platform} and the parent image is ${context.osFamily}`,
        `Use a ${context.osFamily} component (or correct platform if the component is for ${context.osFamily})`);
    }
    return {
      name: context.defaultName,
      platform,
      componentArn: arn,
      componentIdentity: arn,
      parameters: checkParameters(context, this.options.parameters),
    };
  }
}
