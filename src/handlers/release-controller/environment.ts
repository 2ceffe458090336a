import { CONTROLLER_ENVIRONMENT } from '../../release-contract/release-properties';

/** What the controller's function is told by its environment (set by the ReleaseController construct). */
export interface ControllerEnvironment {
  /** The value of the controller tag, put on every rule the controller creates. */
  readonly controllerTag: string;
  /** The DynamoDB table of release state. */
  readonly stateTable: string;
}

/** Read the environment; a missing variable is a deployment bug, named in the error. */
export function controllerEnvironment(): ControllerEnvironment {
  return { controllerTag: required(CONTROLLER_ENVIRONMENT.controllerTag), stateTable: required(CONTROLLER_ENVIRONMENT.stateTable) };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`environment variable ${name} is not set: the release controller's function must be deployed by the ReleaseController construct`);
  }
  return value;
}
