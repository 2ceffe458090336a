import { App, CloudFormationValidatePlugin } from 'aws-cdk-lib';

/**
 * Counts and times the calls to aws-cdk-lib's built-in template validator, so that the
 * "validation on" figures are known to include it (aws-cdk-lib downgrades its findings to
 * warnings, so nothing else shows it ran).
 */
export interface ValidatorUse {
  readonly calls: number;
  readonly ms: number;
}

let calls = 0;
let ms = 0;
let installed = false;

export function spyOnValidator(): void {
  if (installed) {
    return;
  }
  installed = true;
  const proto = CloudFormationValidatePlugin.prototype;
  const validate = proto.validate;
  proto.validate = function (this: CloudFormationValidatePlugin, ...args: Parameters<typeof validate>) {
    const start = performance.now();
    try {
      return validate.apply(this, args);
    } finally {
      calls++;
      ms += performance.now() - start;
    }
  };
}

export function validatorUse(): ValidatorUse {
  return { calls, ms };
}

/**
 * Whether `new App()` registers the built-in validator with the environment as it is: the same
 * test aws-cdk-lib makes when it synthesises (the App property and `CDK_VALIDATION`).
 */
export function builtinValidationDefault(): { appProperty: boolean; envVariable: string | undefined } {
  const app = new App() as unknown as { _builtinCloudFormationValidation?: boolean };
  return { appProperty: app._builtinCloudFormationValidation === true, envVariable: process.env.CDK_VALIDATION };
}

type EngineHolder = { engineResourceTypes?: Set<string>; initializeEngine(types: Set<string>): unknown };

/**
 * aws-cdk-lib keeps one validation engine per process and rebuilds it whenever a template
 * brings resource types it was not built for, which cases run in turn would trigger at random.
 * This builds it for exactly these types, untimed, so that a timed synthesis in one process
 * validates with the engine that a process synthesising only this app would have.
 */
export function primeValidator(resourceTypes: string[]): void {
  const plugin = (CloudFormationValidatePlugin as unknown as { _singletonInstance(): EngineHolder })._singletonInstance();
  const current = plugin.engineResourceTypes;
  if (current && current.size === resourceTypes.length && resourceTypes.every(t => current.has(t))) {
    return;
  }
  plugin.engineResourceTypes = undefined;
  plugin.initializeEngine(new Set(resourceTypes));
}
