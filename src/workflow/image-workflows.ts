import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BoundWorkflow, ImageWorkflow } from './image-workflow';
import { OsFamily } from '../common/os-family';
import type { ImageBuildParts } from '../image/image-build-parts';
import { invalidProp } from '../private/errors';
import { canonicalJson, contentHash, sha256Hex, versionFromHash } from '../private/hash';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';
import { imageBuilderName } from '../private/names';

/** What an image or pipeline tells its workflows. */
export interface ImageWorkflowsProps {
  readonly workflows: ImageWorkflow[];
  /** The image or pipeline that runs them. */
  readonly owner: IConstruct;
  /** The prop they were given in. */
  readonly prop: string;
  readonly parts: ImageBuildParts;
  readonly osFamily: OsFamily;
  /** True when the build runs the recipe's test components (Image Builder's own test workflow). */
  readonly recipeTests: boolean;
  /** The topic a manual approval falls back to. */
  readonly defaultTopic?: sns.ITopic;
}

/** A build workflow configuration, the same shape for images and pipelines. */
export type WorkflowConfiguration = imagebuilder.CfnImage.WorkflowConfigurationProperty;

/** "The total number of workflows cannot exceed ten" (manage-image-workflows.html). */
const MAX_WORKFLOWS = 10;

/** The AWS-managed workflows that run when no workflow is attached; ARNs end in x.x.x (the latest version). */
const MANAGED = { BUILD: 'build/build-image', TEST: 'test/test-image' };

/**
 * The workflows of one image or pipeline: an `AWS::ImageBuilder::Workflow` for each, with a
 * version derived from its document (a changed document is a new version, an unchanged one
 * the same), and the workflow configurations of the build.
 *
 * Attaching workflows replaces Image Builder's defaults: a pipeline runs one build workflow
 * or none ("skip the build entirely"), and test workflows or none
 * (https://docs.aws.amazon.com/imagebuilder/latest/userguide/pipeline-workflows.html). So the
 * AWS-managed `build-image` workflow is attached unless a build workflow of the user's
 * replaces it, and the AWS-managed `test-image` workflow (which runs the recipe's test
 * components) whenever the build runs them. Test workflows run in named parallel groups in
 * the order the groups are given (same page, "Define test groups for test workflows"); each
 * of ours gets its own group, so the stages run one after another in the order given and
 * a manual approval, always last, waits until every test has passed.
 */
export class ImageWorkflows extends Construct {
  /** The workflow configurations of the build, in the order they run. */
  public readonly configurations: WorkflowConfiguration[];
  /** True when the build has test workflows (so image tests must be enabled). */
  public readonly hasTests: boolean;
  /** True when the build waits for a manual approval. */
  public readonly hasApproval: boolean;
  /**
   * What the build's workflows are, as a hash: the configurations with each workflow of ours
   * named by its content. Its ARN cannot stand for it: a new document makes a new version
   * under the same `Fn::GetAtt`, and the image that runs it is replaced all the same.
   */
  public get identity(): string {
    return sha256Hex(this.identitySource);
  }
  /**
   * What `identity` hashes, as text: a snapshot masks the user's asset hashes in it to find
   * a stand-in for the image key that moves with the workflows but not with an asset.
   */
  public readonly identitySource: string;

  constructor(scope: Construct, id: string, props: ImageWorkflowsProps) {
    super(scope, id);
    const bound = props.workflows.map((workflow, index) => workflow._bind({
      scope: props.owner,
      prop: `${props.prop}[${index}]`,
      osFamily: props.osFamily,
      defaultTopic: props.defaultTopic,
    }));
    this.checkCombination(props, bound);
    const contents = bound.map(b => contentHash('workflow', b.type, b.data));
    const arns = bound.map((b, index) => this.createWorkflow(props.owner, b, contents[index]));
    // onFailure and parallelGroup are for test workflows only ("This field only applies for
    // test workflows", API_WorkflowConfiguration.html; Image Builder refuses them on a build
    // workflow: pipeline-workflows.html): a build workflow's failure always stops the build.
    const configuration = (b: BoundWorkflow, index: number, parallelGroup?: string): WorkflowConfiguration => ({
      workflowArn: arns[index],
      ...(b.type === 'TEST' ? { onFailure: b.continueOnFailure ? 'CONTINUE' : 'ABORT' } : {}),
      ...(parallelGroup ? { parallelGroup } : {}),
      ...(b.parameters ? { parameters: Object.entries(b.parameters).map(([name, value]) => ({ name, value })) } : {}),
    });
    const stack = Stack.of(this);
    const managed = (path: string): WorkflowConfiguration => ({
      workflowArn: `arn:${stack.partition}:imagebuilder:${stack.region}:aws:workflow/${path}/x.x.x`,
    });
    const buildIndex = bound.findIndex(b => b.type === 'BUILD');
    const tests = bound.map((b, index) => ({ b, index })).filter(({ b }) => b.type === 'TEST');
    const stages = tests.filter(({ b }) => !b.approvalTopic);
    const approval = tests.find(({ b }) => b.approvalTopic);
    this.configurations = [
      buildIndex >= 0 ? configuration(bound[buildIndex], buildIndex) : managed(MANAGED.BUILD),
      ...(props.recipeTests ? [{ ...managed(MANAGED.TEST), parallelGroup: 'recipe-tests' }] : []),
      ...stages.map(({ b, index }) => configuration(b, index, `test-${b.name}`)),
      ...(approval ? [configuration(approval.b, approval.index, 'approval')] : []),
    ];
    if (this.configurations.length > MAX_WORKFLOWS) {
      invalidProp(props.owner, props.prop, `${bound.length} workflow(s)`,
        `Image Builder runs at most ${MAX_WORKFLOWS} workflows per build, and these make ${this.configurations.length} with the build workflow`
        + (props.recipeTests ? ' and the one that runs the recipe\'s tests' : ''), 'Merge test stages, or give fewer');
    }
    this.hasTests = tests.length > 0;
    this.hasApproval = approval !== undefined;
    const contentOf = new Map(arns.map((arn, index) => [arn, `workflow:${contents[index]}`]));
    this.identitySource = canonicalJson(['workflows', stack.resolve(this.configurations.map(c => ({ ...c, workflowArn: contentOf.get(c.workflowArn ?? '') ?? c.workflowArn })))]);
    this.grantExecution(props.parts.requireExecutionRole(), bound);
  }

  private checkCombination(props: ImageWorkflowsProps, bound: BoundWorkflow[]): void {
    const names = new Map<string, number>();
    bound.forEach((b, index) => {
      const clash = names.get(b.name);
      if (clash !== undefined) {
        invalidProp(props.owner, `${props.prop}[${index}].name`, b.name, `${props.prop}[${clash}] has the same name`,
          'Give each workflow its own name (a second manual approval is never needed: one waits for every test)');
      }
      names.set(b.name, index);
    });
    const builds = bound.map((b, index) => ({ b, index })).filter(({ b }) => b.type === 'BUILD');
    if (builds.length > 1) {
      invalidProp(props.owner, `${props.prop}[${builds[1].index}]`, builds[1].b.name,
        `a build runs one build workflow and ${props.prop}[${builds[0].index}] is one already`, 'Keep one workflow with stage WorkflowStage.BUILD');
    }
  }

  private createWorkflow(owner: IConstruct, bound: BoundWorkflow, content: string): string {
    const resource = new imagebuilder.CfnWorkflow(this, `Workflow-${bound.name}`, {
      // Workflow ARNs allow lowercase names only.
      name: imageBuilderName(owner, `workflow-${bound.name}`).toLowerCase(),
      // Versions from the content, as components have: no "already exists" on re-deploy.
      version: versionFromHash(content),
      type: bound.type,
      data: bound.data,
      description: `${bound.name}, managed by cdk-immutable-infra`,
    });
    return resource.attrArn;
  }

  /**
   * What the execution role needs beyond its AWS-managed baseline (EC2ImageBuilderExecutionPolicy,
   * which launches and terminates build and test instances). Scoped as Image Builder's own
   * service-linked role scopes these actions
   * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSServiceRoleForImageBuilder.html):
   * Run Command only with the documents the workflows name, and only on instances Image Builder created
   * (tagged CreatedBy "EC2 Image Builder"); WaitForAction publishes to the approval topic.
   */
  private grantExecution(role: iam.IRole, bound: BoundWorkflow[]): void {
    const approval = bound.find(b => b.approvalTopic)?.approvalTopic;
    if (approval) {
      approval.grantPublish(role);
    }
    const documents = [...new Set(bound.flatMap(b => b.commandDocuments))];
    if (documents.length === 0) {
      return;
    }
    const stack = Stack.of(this);
    const instances = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:instance/*`;
    const statements = [
      new iam.PolicyStatement({
        actions: ['ssm:SendCommand'],
        // AWS's own documents (AWS-...) have no account in their ARN; yours have this account.
        resources: documents.map(name => `arn:${stack.partition}:ssm:${stack.region}:${name.startsWith('AWS') ? '' : stack.account}:document/${name}`),
      }),
      new iam.PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [instances],
        conditions: { StringEquals: { 'ssm:resourceTag/CreatedBy': 'EC2 Image Builder' } },
      }),
      // Read-only calls on command ids the step itself made, which take no resource ARN.
      new iam.PolicyStatement({ actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:ListCommands'], resources: ['*'] }),
    ];
    statements.forEach(s => role.addToPrincipalPolicy(s));
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      suppressNagRule(policy, 'AwsSolutions-IAM5', 'Run Command on instances Image Builder launched (tag-conditioned) and reading the invocations it started, as the service-linked role does',
        ['Resource::*', nagFinding(this, 'Resource', instances)]);
    }
  }
}
