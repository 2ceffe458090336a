import { Token } from 'aws-cdk-lib';
import { BoundProvisioner, ProvisionerBindContext, ProvisionerKind, singlePhase } from './provisioner-kind';
import { StepOptions } from './step-options';
import { provisionerName, stepSettings } from './step-settings';
import { ToeStep } from './toe/component-document';
import { invalidProp } from '../private/errors';

/**
 * Options for an operating system update.
 */
export interface UpdateOsProvisionerOptions extends StepOptions {
  /**
   * Only these updates: package names (Linux, wildcards allowed, e.g. `kernel*`) or, on Windows,
   * KB article ids (`KB5005112`) or update titles.
   *
   * @default - all available updates
   */
  readonly include?: string[];

  /**
   * Updates to leave out, in the same form as `include`.
   *
   * @default - none
   */
  readonly exclude?: string[];
}

/** `Provisioner.updateOs()`: AWSTOE's UpdateOS action (dnf/yum, apt or Windows Update). */
export class UpdateOsStep implements ProvisionerKind {
  public readonly kindName = 'update-os';

  constructor(private readonly options: UpdateOsProvisionerOptions) {}

  public bind(context: ProvisionerBindContext): BoundProvisioner {
    const name = provisionerName(context, this.options);
    const include = this.checkList(context, 'include', this.options.include);
    const exclude = this.checkList(context, 'exclude', this.options.exclude);
    const inputs: { include?: string[]; exclude?: string[] } = {};
    if (include) {
      inputs.include = include;
    }
    if (exclude) {
      inputs.exclude = exclude;
    }
    const step: ToeStep = {
      name,
      action: 'UpdateOS',
      ...stepSettings(context, this.options),
      ...(include || exclude ? { inputs } : {}),
    };
    return {
      name,
      platform: context.osFamily,
      document: () => singlePhase(context, [step]),
    };
  }

  private checkList(context: ProvisionerBindContext, prop: 'include' | 'exclude', list: string[] | undefined): string[] | undefined {
    if (list === undefined) {
      return undefined;
    }
    if (list.length === 0) {
      invalidProp(context.scope, `${context.prop}.${prop}`, list, `an empty ${prop} list means nothing to AWSTOE`,
        `Give at least one update, or leave ${prop} unset`);
    }
    list.forEach((item, i) => {
      if (!Token.isUnresolved(item) && (item.trim() === '' || /[\r\n]/.test(item))) {
        invalidProp(context.scope, `${context.prop}.${prop}[${i}]`, item, 'an update name must be a non-empty single line',
          'Give a package name, a KB id or an update title');
      }
    });
    return [...list];
  }
}
