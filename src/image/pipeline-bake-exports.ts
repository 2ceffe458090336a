import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { imageStatePattern } from './image-state-events';
import type { VmExport } from './vm-export';
import { EXPORT_CALLER_REASON, exportCallerStatements, exportDescription } from './vm-export-caller';
import { nagFinding, suppressNagRule } from '../private/nag-suppressions';

/** One export of every pipeline bake, with the service role the deploy-time export uses. */
export interface PipelineBakeExport {
  readonly vmExport: VmExport;
  readonly role: iam.IRole;
}

export interface PipelineBakeExportsProps {
  /** The image recipe's name: its builds are image/<recipe name>/<version>/<build>. */
  readonly recipeName: string;
  readonly imageName: string;
  readonly exports: PipelineBakeExport[];
}

/**
 * Exports every pipeline bake of an image: an EventBridge rule on the image's builds becoming
 * AVAILABLE (event "EC2 Image Builder Image State Change", image-state-events.ts) starts a
 * state machine that reads the build with imagebuilder:GetImage and, for a build that came
 * from a pipeline (GetImage's `sourcePipelineArn`,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_Image.html), starts
 * ec2:ExportImage of its AMI in the build region (the `amis` of its output resources with
 * the event's region, https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_Ami.html)
 * for each export. The deploy-time build is exported by its own custom resource (vm-export.ts)
 * and is skipped here. Each ExportImage carries a client token made of the event's id and the
 * export's index, so an event EventBridge delivers twice starts each export once
 * (ClientToken: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ExportImage.html).
 * The disk lands where the deploy-time build's does: `s3://<bucket>/<prefix>export-ami-<task id>.<format>`.
 *
 * A state machine rather than a Lambda function: two AWS SDK calls and a choice need no code
 * of ours, nothing to bundle, and Step Functions retries the calls.
 */
export class PipelineBakeExports extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineBakeExportsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const getImage = tasks.CallAwsService.jsonata(this, 'GetImage', {
      service: 'imagebuilder',
      action: 'getImage',
      parameters: { ImageBuildVersionArn: '{% $states.input.resources[0] %}' },
      iamResources: [`arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${props.recipeName}/*`],
      outputs: {
        imageId: '{% ($states.result.Image.OutputResources.Amis[Region = $states.input.region])[0].Image %}',
        fromPipeline: '{% $exists($states.result.Image.SourcePipelineArn) %}',
        eventId: '{% $states.input.id %}',
      },
    });
    const [first, ...rest] = props.exports.map(({ vmExport, role }, index) => this.exportImage(index, vmExport, role, props.imageName));
    const exportsChain = rest.reduce((chain, next) => chain.next(next), sfn.Chain.start(first));
    const choice = sfn.Choice.jsonata(this, 'FromPipeline')
      .when(sfn.Condition.jsonata('{% $states.input.fromPipeline %}'), exportsChain)
      .otherwise(sfn.Succeed.jsonata(this, 'NotAPipelineBake'));
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(getImage.next(choice)),
      comment: `Exports each pipeline bake of ${props.imageName} as a VM disk`,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL },
    });
    this.rule = new events.Rule(this, 'BakeAvailable', {
      description: `Exports each pipeline bake of ${props.imageName} as a VM disk`,
      eventPattern: imageStatePattern(this, props.recipeName, 'AVAILABLE'),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
    this.suppressFindings(props);
  }

  private exportImage(index: number, vmExport: VmExport, role: iam.IRole, imageName: string): sfn.TaskStateBase {
    const prefix = vmExport._prefix(imageName);
    const task = tasks.CallAwsService.jsonata(this, `Export${index}`, {
      service: 'ec2',
      action: 'exportImage',
      parameters: {
        ImageId: '{% $states.input.imageId %}',
        DiskImageFormat: vmExport.format,
        S3ExportLocation: { S3Bucket: vmExport.bucket.bucketName, S3Prefix: prefix },
        RoleName: role.roleName,
        Description: exportDescription(imageName),
        ClientToken: `{% $states.input.eventId & '-${index}' %}`,
      },
      // ExportImage takes no resource-level scoping in the documented policy; the bucket statements follow.
      iamResources: ['*'],
      additionalIamStatements: exportCallerStatements(vmExport.bucket, prefix, role).slice(1),
      // The next export reads the same input.
      outputs: '{% $states.input %}',
    });
    return task;
  }

  private suppressFindings(props: PipelineBakeExportsProps): void {
    const policy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (!policy) {
      return;
    }
    const stack = Stack.of(this);
    suppressNagRule(policy, 'AwsSolutions-IAM5', `${EXPORT_CALLER_REASON}; GetImage on the builds of the image's recipe only, whose versions are unknown beforehand; X-Ray and log delivery as Step Functions needs them`, [
      'Resource::*',
      nagFinding(this, 'Resource', `arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${props.recipeName}/*`),
      ...props.exports.map(({ vmExport }) => nagFinding(this, 'Resource', vmExport.bucket.arnForObjects(`${vmExport._prefix(props.imageName)}*`))),
    ]);
  }
}
