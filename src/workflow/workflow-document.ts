import { stringify } from 'yaml';
import { ComponentDocumentError, parseComponentDocumentYaml } from '../provisioning/toe/parse';

/*
 * Image Builder workflow documents: what the library writes for its typed stages and what it
 * checks in a user's own document before CloudFormation sees it.
 *
 * Facts, from "Create a YAML workflow document"
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-workflow-create-document.html):
 *  - `schemaVersion` is required and is 1.0; `name` and `description` are optional;
 *  - `parameters` entries have a `name` and a `type` of string, integer, boolean or stringList,
 *    used in the document as `$.parameters.<name>`;
 *  - at most 15 steps, run in order; on a failure the rollbacks run in reverse from the failed
 *    step; a step reads an earlier step's outputs as `$.stepOutputs.<step name>.<output>`
 *    (an input whose name ends in `.$` holds such a JSONPath);
 *  - a step has `name`, `action`, `onFailure` (Abort or Continue), `timeoutSeconds`, `if` and
 *    `inputs`; step names follow the pattern of WorkflowStepMetadata
 *    (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_WorkflowStepMetadata.html),
 *    and a step's timeout is at most 43,200 seconds (WorkflowStepTimeoutSecondsInteger of the
 *    API's model).
 * The step actions are those of "Supported step actions for workflow documents"
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/wfdoc-step-actions.html), which
 * also restricts actions to stages: CollectImageMetadata to build workflows,
 * CollectImageScanFindings to test workflows, and ApplyImageConfigurations,
 * DistributeContainerImage, DistributeImage and ModifyImageAttributes to distribution workflows. CloudFormation takes at most
 * 16,000 characters of inline `Data`
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-imagebuilder-workflow.html).
 */

/** The stage a workflow runs in. */
export type WorkflowType = 'BUILD' | 'TEST';

/** Every step action the user guide lists. */
export const STEP_ACTIONS: readonly string[] = [
  'ApplyImageConfigurations', 'BootstrapInstanceForContainer', 'CollectImageMetadata', 'CollectImageScanFindings',
  'CreateImage', 'CreateImageFromIso', 'DistributeContainerImage', 'DistributeImage', 'ExecuteComponents', 'ExecuteStateMachine', 'LaunchInstance', 'ModifyImageAttributes',
  'RegisterImage', 'RunCommand', 'RunSysPrep', 'SanitizeInstance', 'TerminateInstance', 'WaitForAction', 'WaitForSSMAgent',
];

const BUILD_ONLY_ACTIONS = ['CollectImageMetadata'];
const TEST_ONLY_ACTIONS = ['CollectImageScanFindings'];
/** Actions of distribution workflows, which the library does not attach. */
const DISTRIBUTION_ACTIONS = ['ApplyImageConfigurations', 'DistributeContainerImage', 'DistributeImage', 'ModifyImageAttributes'];
/** The actions that make a build's output image. */
const IMAGE_MAKING_ACTIONS = ['CreateImage', 'CreateImageFromIso', 'RegisterImage'];
const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'stringList'];
const MAX_STEPS = 15;
const MAX_TIMEOUT_SECONDS = 43_200;
export const MAX_WORKFLOW_DATA = 16_000;
const STEP_NAME = /^[A-Za-z][A-Za-z0-9-_]{1,99}$/;
const STEP_OUTPUT_REFERENCE = /\$\.stepOutputs\.([A-Za-z0-9-_]+)/g;
const PARAMETER_REFERENCE = /\$\.parameters\.([A-Za-z0-9-_]+)/g;

/** A workflow step as the library writes it. */
export interface WorkflowStep {
  readonly name: string;
  readonly action: string;
  readonly onFailure?: 'Abort' | 'Continue';
  readonly timeoutSeconds?: number;
  readonly inputs?: Record<string, unknown>;
}

/** A workflow document as the library writes it. */
export interface WorkflowDocument {
  readonly name: string;
  readonly description: string;
  readonly schemaVersion: '1.0';
  readonly parameters?: Array<{ readonly name: string; readonly type: string; readonly description?: string }>;
  readonly steps: WorkflowStep[];
}

/** Deterministic YAML of a document: equal documents render to equal bytes, so their version hash is stable. */
export function renderWorkflowDocument(document: WorkflowDocument): string {
  return stringify(document, { lineWidth: 0, indentSeq: true });
}

/**
 * Parses a user's workflow document (YAML or JSON) and lists every problem Image Builder would
 * refuse it for. Throws ComponentDocumentError (with line and column) on YAML syntax errors.
 */
export function checkWorkflowDocument(text: string, type: WorkflowType, what: string): string[] {
  const document = parseComponentDocumentYaml(text, what);
  const problems: string[] = [];
  if (text.length > MAX_WORKFLOW_DATA) {
    problems.push(`it is ${text.length} characters and CloudFormation takes at most ${MAX_WORKFLOW_DATA}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return [...problems, 'a workflow document is a map with schemaVersion and steps'];
  }
  const doc = document as Record<string, unknown>;
  if (String(doc.schemaVersion) !== '1.0') {
    problems.push(`schemaVersion is ${JSON.stringify(doc.schemaVersion)} and must be 1.0`);
  }
  const parameters = checkParameters(doc.parameters, problems);
  const steps = doc.steps;
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_STEPS) {
    problems.push(`steps must be a list of 1 to ${MAX_STEPS} steps (found ${Array.isArray(steps) ? steps.length : JSON.stringify(steps)})`);
    return problems;
  }
  const seen = new Set<string>();
  steps.forEach((step, index) => checkStep(step, index, type, seen, parameters, problems));
  const actions = steps.map(s => (s as Record<string, unknown> | null)?.action);
  if (type === 'BUILD' && !actions.some(a => IMAGE_MAKING_ACTIONS.includes(a as string))) {
    problems.push(`a build workflow makes the image and this one has no ${IMAGE_MAKING_ACTIONS.slice(0, -1).join(', ')} or ${IMAGE_MAKING_ACTIONS[IMAGE_MAKING_ACTIONS.length - 1]} step`);
  }
  return problems;
}

function checkParameters(value: unknown, problems: string[]): Set<string> {
  const names = new Set<string>();
  if (value === undefined) {
    return names;
  }
  if (!Array.isArray(value)) {
    problems.push('parameters must be a list of { name, type }');
    return names;
  }
  value.forEach((entry, index) => {
    const parameter = (entry ?? {}) as Record<string, unknown>;
    if (typeof parameter.name !== 'string' || parameter.name === '') {
      problems.push(`parameters[${index}] has no name`);
      return;
    }
    if (!PARAMETER_TYPES.includes(parameter.type as string)) {
      problems.push(`parameter '${parameter.name}' has type ${JSON.stringify(parameter.type)}; use one of ${PARAMETER_TYPES.join(', ')}`);
    }
    names.add(parameter.name);
  });
  return names;
}

function checkStep(value: unknown, index: number, type: WorkflowType, seen: Set<string>, parameters: Set<string>, problems: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`steps[${index}] is not a map`);
    return;
  }
  const step = value as Record<string, unknown>;
  const label = typeof step.name === 'string' ? `step '${step.name}'` : `steps[${index}]`;
  if (typeof step.name !== 'string' || !STEP_NAME.test(step.name)) {
    problems.push(`${label}: the name must start with a letter and hold 2 to 100 letters, digits, hyphens or underscores`);
  } else if (seen.has(step.name)) {
    problems.push(`${label}: another step has the same name`);
  }
  if (!STEP_ACTIONS.includes(step.action as string)) {
    problems.push(`${label}: action ${JSON.stringify(step.action)} is not an Image Builder step action (${STEP_ACTIONS.join(', ')})`);
  } else if (type === 'TEST' && BUILD_ONLY_ACTIONS.includes(step.action as string)) {
    problems.push(`${label}: ${step.action} runs in build workflows only`);
  } else if (type === 'BUILD' && TEST_ONLY_ACTIONS.includes(step.action as string)) {
    problems.push(`${label}: ${step.action} runs in test workflows only`);
  } else if (DISTRIBUTION_ACTIONS.includes(step.action as string)) {
    problems.push(`${label}: ${step.action} runs in distribution workflows only; give AMI settings in the pipeline's distribution instead`);
  }
  if (step.onFailure !== undefined && step.onFailure !== 'Abort' && step.onFailure !== 'Continue') {
    problems.push(`${label}: onFailure is ${JSON.stringify(step.onFailure)} and must be Abort or Continue`);
  }
  const timeout = step.timeoutSeconds;
  if (timeout !== undefined && (!Number.isInteger(Number(timeout)) || Number(timeout) < 0 || Number(timeout) > MAX_TIMEOUT_SECONDS)) {
    problems.push(`${label}: timeoutSeconds is ${JSON.stringify(timeout)} and must be a whole number from 0 to ${MAX_TIMEOUT_SECONDS}`);
  }
  const text = JSON.stringify([step.inputs, step.if]) ?? '';
  for (const [, name] of text.matchAll(STEP_OUTPUT_REFERENCE)) {
    if (!seen.has(name)) {
      problems.push(`${label}: $.stepOutputs.${name} names no earlier step`);
    }
  }
  for (const [, name] of text.matchAll(PARAMETER_REFERENCE)) {
    if (!parameters.has(name)) {
      problems.push(`${label}: $.parameters.${name} is not declared in parameters`);
    }
  }
  if (typeof step.name === 'string') {
    seen.add(step.name);
  }
}

export { ComponentDocumentError };
