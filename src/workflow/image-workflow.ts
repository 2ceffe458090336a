import * as fs from 'fs';
import { Duration, Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { ComponentDocumentError, WorkflowDocument, WorkflowType, checkWorkflowDocument, renderWorkflowDocument } from './workflow-document';
import { OsFamily } from '../common/os-family';
import { invalidProp, invalidPropMessage } from '../private/errors';

/** The stage of an image build a workflow document runs in. */
export enum WorkflowStage {
  /** Builds the image: replaces Image Builder's own build workflow (at most one per image or pipeline). */
  BUILD = 'BUILD',
  /** Tests the new image; test workflows run after the build, before distribution. */
  TEST = 'TEST',
}

/**
 * Options of a test stage: commands run on a fresh instance of the new image.
 */
export interface TestStageOptions {
  /** The stage's name, unique among the workflows of the image or pipeline: lowercase letters, digits and hyphens. */
  readonly name: string;

  /**
   * Commands run through Systems Manager Run Command (`AWS-RunShellScript` on Linux,
   * `AWS-RunPowerShellScript` on Windows) on an instance launched from the new image. The
   * stage fails, and with it the build, when a command fails.
   */
  readonly commands: string[];

  /**
   * How long the commands may run (Image Builder allows a step at most 12 hours).
   *
   * @default - the RunCommand step action's default
   */
  readonly timeout?: Duration;

  /**
   * Let the build go on (and the image be distributed) when the stage fails.
   *
   * @default false
   */
  readonly continueOnFailure?: boolean;
}

/**
 * Options of a manual approval before distribution.
 */
export interface ManualApprovalOptions {
  /**
   * The topic Image Builder tells when a build waits for approval.
   *
   * @default - the pipeline's notifications topic, else the image's `notificationTopic`
   */
  readonly topic?: sns.ITopic;
}

/**
 * Options of a workflow document of your own.
 */
export interface WorkflowDocumentOptions {
  /** The workflow's name, unique among the workflows of the image or pipeline: lowercase letters, digits and hyphens. */
  readonly name: string;

  /** The stage the document runs in. */
  readonly stage: WorkflowStage;

  /**
   * Values for the parameters the document declares, by name (each a list of strings, as
   * Image Builder passes them).
   *
   * @default - the document's defaults
   */
  readonly parameters?: { [name: string]: string[] };

  /**
   * Let the build go on when the workflow fails (test workflows only: a build workflow's failure
   * always stops the build).
   *
   * @default false
   */
  readonly continueOnFailure?: boolean;
}

/** What a workflow is told when the image or pipeline that runs it is synthesised. */
export interface WorkflowBindContext {
  /** The image or pipeline, for messages. */
  readonly scope: IConstruct;
  /** The prop the workflow was given in, e.g. `workflows[1]`. */
  readonly prop: string;
  readonly osFamily: OsFamily;
  /** The topic a manual approval falls back to. */
  readonly defaultTopic?: sns.ITopic;
}

/** A workflow ready to become an `AWS::ImageBuilder::Workflow` and a workflow configuration. */
export interface BoundWorkflow {
  readonly name: string;
  readonly type: WorkflowType;
  /** The document's YAML text, checked. */
  readonly data: string;
  readonly parameters?: { [name: string]: string[] };
  readonly continueOnFailure: boolean;
  /** Set for a manual approval: the topic told when the build waits. */
  readonly approvalTopic?: sns.ITopic;
  /** The SSM Command documents its RunCommand steps send (none when it runs no commands). */
  readonly commandDocuments: string[];
}

const WORKFLOW_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const LAUNCH_STEP = 'LaunchTestInstance';
const INSTANCE_ID = `$.stepOutputs.${LAUNCH_STEP}.instanceId`;
/** The `documentName` inputs of a document's RunCommand steps (a name given literally). */
const COMMAND_DOCUMENT = /\bdocumentName['"]?\s*:\s*['"]?([A-Za-z0-9_.\-]{3,128})/g;
/** The workflow parameter that carries the approval topic, so the document itself never changes. */
const TOPIC_PARAMETER = 'snsTopicArn';

type WorkflowSource =
  | { readonly kind: 'testStage'; readonly options: TestStageOptions }
  | { readonly kind: 'approval'; readonly options: ManualApprovalOptions }
  | { readonly kind: 'text'; readonly text: string; readonly options: WorkflowDocumentOptions }
  | { readonly kind: 'file'; readonly path: string; readonly options: WorkflowDocumentOptions };

/**
 * A build or test workflow of an image or pipeline: Image Builder runs it in place of (or
 * beside) its own. Give them in `workflows` of a GoldenImage or an ImagePipeline.
 */
export class ImageWorkflow {
  /**
   * A test stage: launches an instance of the new image (waiting for its SSM agent), runs the
   * commands on it through Run Command, and terminates it.
   */
  public static testStage(options: TestStageOptions): ImageWorkflow {
    return new ImageWorkflow({ kind: 'testStage', options });
  }

  /**
   * A manual approval before distribution: the build waits after every test, Image Builder
   * tells the topic, and the build goes on when someone sends RESUME
   * (`aws imagebuilder send-workflow-step-action --action RESUME ...`), or fails on STOP or
   * when the wait times out.
   */
  public static manualApproval(options: ManualApprovalOptions = {}): ImageWorkflow {
    return new ImageWorkflow({ kind: 'approval', options });
  }

  /** A workflow document of your own, as YAML (or JSON) text, checked at synth. */
  public static fromDocument(text: string, options: WorkflowDocumentOptions): ImageWorkflow {
    return new ImageWorkflow({ kind: 'text', text, options });
  }

  /** A workflow document of your own read from a local YAML (or JSON) file at synth, checked. */
  public static fromDocumentFile(path: string, options: WorkflowDocumentOptions): ImageWorkflow {
    return new ImageWorkflow({ kind: 'file', path, options });
  }

  private constructor(private readonly source: WorkflowSource) {}

  /** @internal */
  public _bind(context: WorkflowBindContext): BoundWorkflow {
    const source = this.source;
    switch (source.kind) {
      case 'testStage':
        return bindTestStage(context, source.options);
      case 'approval':
        return bindApproval(context, source.options);
      default:
        return bindDocument(context, source);
    }
  }
}

function bindTestStage(context: WorkflowBindContext, options: TestStageOptions): BoundWorkflow {
  const name = checkName(context, options.name);
  const commands = options.commands ?? [];
  if (commands.length === 0 || commands.some(c => typeof c !== 'string' || c.trim() === '')) {
    invalidProp(context.scope, `${context.prop}.commands`, options.commands, 'a test stage runs at least one command, and no command may be empty',
      'Give the commands that check the image, e.g. [\'systemctl is-active nginx\']');
  }
  const timeout = options.timeout;
  const seconds = timeout === undefined || Token.isUnresolved(timeout.toSeconds()) ? undefined : timeout.toSeconds();
  if (seconds !== undefined && (seconds < 1 || seconds > 43_200)) {
    invalidProp(context.scope, `${context.prop}.timeout`, timeout!.toHumanString(), 'Image Builder allows a workflow step 1 second to 12 hours',
      'Give a timeout of at most Duration.hours(12)');
  }
  const documentName = context.osFamily === OsFamily.WINDOWS ? 'AWS-RunPowerShellScript' : 'AWS-RunShellScript';
  const document: WorkflowDocument = {
    name,
    description: `Test stage '${name}', managed by cdk-immutable-infra`,
    schemaVersion: '1.0',
    steps: [
      // AWS's own examples launch with waitFor ssmAgent, so Run Command can reach the instance
      // (CreateWorkflow's example: https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_CreateWorkflow.html).
      { name: LAUNCH_STEP, action: 'LaunchInstance', onFailure: 'Abort', inputs: { waitFor: 'ssmAgent' } },
      {
        name: 'RunTestCommands',
        action: 'RunCommand',
        onFailure: 'Abort',
        ...(seconds !== undefined ? { timeoutSeconds: seconds } : {}),
        inputs: {
          // RunCommand sends an SSM Command document to the instance the launch step made.
          'documentName': context.osFamily === OsFamily.WINDOWS ? 'AWS-RunPowerShellScript' : 'AWS-RunShellScript',
          'instanceId.$': INSTANCE_ID,
          // The Command document has its own time limit (executionTimeout, one hour unless
          // given, at most 48 hours): a stage's longer timeout would be cut short without it.
          'parameters': { commands, ...(seconds !== undefined ? { executionTimeout: [String(seconds)] } : {}) },
        },
      },
      // Continue: the instance goes whatever happens (a failed launch rolls itself back).
      { name: 'TerminateTestInstance', action: 'TerminateInstance', onFailure: 'Continue', inputs: { 'instanceId.$': INSTANCE_ID } },
    ],
  };
  return {
    name,
    type: 'TEST',
    data: checked(context, renderWorkflowDocument(document), 'TEST', `the test stage '${name}'`),
    continueOnFailure: options.continueOnFailure ?? false,
    commandDocuments: [documentName],
  };
}

function bindApproval(context: WorkflowBindContext, options: ManualApprovalOptions): BoundWorkflow {
  const topic = options.topic ?? context.defaultTopic;
  if (!topic) {
    invalidProp(context.scope, `${context.prop}.topic`, undefined, 'a manual approval tells an SNS topic that the build waits, and none is set here or on the image',
      'Give ImageWorkflow.manualApproval({ topic }), or set the image\'s notificationTopic (or the pipeline\'s notifications)');
  }
  const name = 'manual-approval';
  const document: WorkflowDocument = {
    name,
    description: 'Waits for a RESUME (or STOP) sent with imagebuilder:SendWorkflowStepAction before the image is distributed, managed by cdk-immutable-infra',
    schemaVersion: '1.0',
    parameters: [{ name: TOPIC_PARAMETER, type: 'string', description: 'The topic told that the build waits' }],
    steps: [
      // WaitForAction pauses the workflow until SendWorkflowStepAction sends RESUME or STOP
      // (https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_SendWorkflowStepAction.html);
      // the topic is its snsTopicArn input.
      { name: 'WaitForApproval', action: 'WaitForAction', onFailure: 'Abort', inputs: { 'snsTopicArn.$': `$.parameters.${TOPIC_PARAMETER}` } },
    ],
  };
  return {
    name,
    type: 'TEST',
    data: checked(context, renderWorkflowDocument(document), 'TEST', 'the manual approval'),
    parameters: { [TOPIC_PARAMETER]: [topic.topicArn] },
    continueOnFailure: false,
    approvalTopic: topic,
    commandDocuments: [],
  };
}

function bindDocument(context: WorkflowBindContext, source: Extract<WorkflowSource, { kind: 'text' | 'file' }>): BoundWorkflow {
  const options = source.options;
  const name = checkName(context, options.name);
  if (options.stage !== WorkflowStage.BUILD && options.stage !== WorkflowStage.TEST) {
    invalidProp(context.scope, `${context.prop}.stage`, options.stage, 'a workflow runs in the build or the test stage (Image Builder manages distribution itself)',
      'Give WorkflowStage.BUILD or WorkflowStage.TEST');
  }
  let text: string;
  let what: string;
  if (source.kind === 'file') {
    if (!fs.existsSync(source.path) || !fs.statSync(source.path).isFile()) {
      invalidProp(context.scope, `${context.prop}.path`, source.path, 'no such file', 'Give the path of a workflow YAML file (relative to where cdk synth runs, or absolute)');
    }
    text = fs.readFileSync(source.path, 'utf8');
    what = `the workflow document ${source.path}`;
  } else {
    text = source.text;
    what = 'the workflow document';
    if (typeof text !== 'string' || Token.isUnresolved(text) || text.trim() === '') {
      invalidProp(context.scope, `${context.prop}.document`, text, 'the workflow document must be YAML text known at synth', 'Give the document as plain text, or use ImageWorkflow.fromDocumentFile()');
    }
  }
  const data = checked(context, text, options.stage as WorkflowType, what);
  if (options.stage === WorkflowStage.BUILD && options.continueOnFailure) {
    invalidProp(context.scope, `${context.prop}.continueOnFailure`, true, 'a build workflow\'s failure always stops the build (Image Builder takes onFailure for test workflows only)',
      'Leave continueOnFailure out of the build workflow');
  }
  return {
    name,
    type: options.stage as WorkflowType,
    data,
    parameters: options.parameters,
    continueOnFailure: options.continueOnFailure ?? false,
    commandDocuments: [...new Set([...data.matchAll(COMMAND_DOCUMENT)].map(m => m[1]))],
  };
}

function checkName(context: WorkflowBindContext, name: string): string {
  if (typeof name !== 'string' || !WORKFLOW_NAME.test(name)) {
    invalidProp(context.scope, `${context.prop}.name`, name, 'a workflow name is 1 to 40 lowercase letters, digits and hyphens, starting with a letter or digit',
      'Give a name such as \'smoke-test\'');
  }
  return name;
}

/** Checks a document (ours or the user's) and throws every problem at once, with path, prop and fix. */
function checked(context: WorkflowBindContext, text: string, type: WorkflowType, what: string): string {
  let problems: string[];
  try {
    problems = checkWorkflowDocument(text, type, what);
  } catch (e) {
    if (e instanceof ComponentDocumentError) {
      const [headline, ...details] = e.message.split('\n');
      throw new Error(invalidPropMessage(context.scope, `${context.prop}.document`, what, headline, 'Fix the YAML at the line shown')
        + (details.length > 0 ? `\n${details.join('\n')}` : ''));
    }
    throw e;
  }
  if (problems.length > 0) {
    throw new Error(invalidPropMessage(context.scope, `${context.prop}.document`, what,
      `${what} is not a valid ${type.toLowerCase()} workflow (${problems.length} problem${problems.length > 1 ? 's' : ''})`,
      'Fix each problem listed below (https://docs.aws.amazon.com/imagebuilder/latest/userguide/image-workflow-create-document.html)')
      + problems.map(p => `\n  - ${p}`).join(''));
  }
  return text;
}
