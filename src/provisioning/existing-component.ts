import { Token } from 'aws-cdk-lib';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind } from './provisioner-kind';
import { componentParameters } from './step-settings';
import { OsFamily } from '../common/os-family';
import { invalidProp } from '../private/errors';

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

/**
 * An Image Builder component ARN: `arn:<partition>:imagebuilder:<region>:<account or aws>:component/<name>/<version>[/<build>]`.
 */
const COMPONENT_ARN = /^arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(?:\d{12}|aws):component\/[A-Za-z0-9_-]+\/(?:x|\d+)\.(?:x|\d+)\.(?:x|\d+)(?:\/\d+)?$/;

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
      parameters: componentParameters(context, this.options.parameters),
    };
  }
}
