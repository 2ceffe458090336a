import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * CloudWatch Logs groups for the pipeline's builds and runs.
 */
export interface PipelineLogOptions {
  /**
   * How long the groups the library creates keep their events.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly retention?: logs.RetentionDays;

  /**
   * The group for the build logs (what runs on the build and test instances). A group
   * outside `/aws/imagebuilder/` needs an execution role, which the library creates.
   *
   * @default - a new group, `/aws/imagebuilder/<pipeline name>/builds`
   */
  readonly imageLogGroup?: logs.ILogGroup;

  /**
   * The group for the pipeline's own log output.
   *
   * @default - a new group, `/aws/imagebuilder/<pipeline name>/runs`
   */
  readonly pipelineLogGroup?: logs.ILogGroup;
}

/** Where Image Builder writes without an execution role. */
const SERVICE_LOG_PREFIX = '/aws/imagebuilder/';

/** The pipeline's log groups, given or created. */
export interface PipelineLogGroups {
  readonly imageLogGroup: logs.ILogGroup;
  readonly pipelineLogGroup: logs.ILogGroup;
  /** The given groups Image Builder cannot write to without an execution role. */
  readonly needingExecutionRole: logs.ILogGroup[];
}

/** Creates the log groups not given. */
export function pipelineLogGroups(scope: Construct, pipelineName: string, options: PipelineLogOptions): PipelineLogGroups {
  const retention = options.retention ?? logs.RetentionDays.THREE_MONTHS;
  const create = (id: string, suffix: string) => new logs.LogGroup(scope, id, {
    logGroupName: `${SERVICE_LOG_PREFIX}${pipelineName}/${suffix}`,
    retention,
  });
  return {
    imageLogGroup: options.imageLogGroup ?? create('BuildLogs', 'builds'),
    pipelineLogGroup: options.pipelineLogGroup ?? create('RunLogs', 'runs'),
    needingExecutionRole: [options.imageLogGroup, options.pipelineLogGroup]
      .filter((g): g is logs.ILogGroup => g !== undefined && outsideServicePrefix(g)),
  };
}

/** A group whose name is unknown at synth counts as outside: granting is the safe side. */
function outsideServicePrefix(group: logs.ILogGroup): boolean {
  const name = group.logGroupName;
  return Token.isUnresolved(name) || !name.startsWith(SERVICE_LOG_PREFIX);
}

/** Lets the role (and the build instances) write to groups outside Image Builder's prefix. */
export function grantLogWrites(groups: logs.ILogGroup[], grantees: iam.IGrantable[]): void {
  for (const group of groups) {
    for (const grantee of grantees) {
      group.grantWrite(grantee);
    }
  }
}
