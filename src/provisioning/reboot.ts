import { Duration } from 'aws-cdk-lib';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { StepOptions } from './step-options';
import { provisionerName, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { invalidProp } from '../private/errors';

/**
 * Options for a reboot (Packer's `windows-restart`, or `shell` with `expect_disconnect`).
 */
export interface RebootProvisionerOptions extends StepOptions {
  /**
   * How long AWSTOE waits before it reboots the instance, in whole seconds.
   *
   * @default - no delay
   */
  readonly delay?: Duration;
}

/** `Provisioner.reboot()`: AWSTOE's Reboot action; the next step runs once the instance is back. */
export class RebootStep implements ProvisionerKind {
  public readonly kindName = 'reboot';

  constructor(private readonly options: RebootProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const name = provisionerName(context, this.options);
    if (this.options.timeout !== undefined) {
      invalidProp(context.scope, `${context.prop}.timeout`, this.options.timeout.toHumanString(),
        'AWSTOE\'s Reboot action takes no timeout (a document with timeoutSeconds on a Reboot step is rejected)',
        'Remove timeout; use delay to wait before the reboot');
    }
    const step: ToeStep = {
      name,
      action: 'Reboot',
      ...stepSettings(context, this.options),
      ...this.inputs(context),
    };
    return {
      name,
      platform: context.osFamily,
      document: () => singlePhase(context, [step]),
    };
  }

  private inputs(context: ProvisionerBindContext): { inputs?: { delaySeconds: number } } {
    const delay = this.options.delay;
    if (delay === undefined) {
      return {};
    }
    if (!delay.isUnresolved()) {
      const millis = delay.toMilliseconds();
      if (millis < 0 || millis % 1000 !== 0) {
        invalidProp(context.scope, `${context.prop}.delay`, delay.toHumanString(), 'AWSTOE takes the reboot delay in whole seconds, zero or more',
          'Give a delay such as Duration.seconds(30)');
      }
    }
    return { inputs: { delaySeconds: delay.toSeconds() } };
  }
}
