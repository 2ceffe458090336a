import * as fs from 'fs';
import * as path from 'path';
import { App, CloudFormationValidatePlugin, Duration, IPolicyValidationContext, Stack, TimeZone } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { GoldenImage, ParentImage, Provisioner } from '../../src';
import { ImageRetention } from '../../src/pipeline/image-retirement';
import { PipelineSchedule, RebuildCondition, WeekDay } from '../../src/pipeline/pipeline-schedule';
import { STRICT_VALIDATION, withDefaultValidation } from '../strict-validation';
import { ENV } from '../support/stacks';

/*
 * Every pipeline option at once, through aws-cdk-lib's CloudFormation validator in strict mode:
 * the raw properties (ImageTags, Schedule.Timezone) and the hand-cased AMI distribution settings
 * are checked against the resource schemas, not only against these tests' expectations.
 */
describe('a pipeline with every option passes CloudFormation schema validation', () => {
  withDefaultValidation();

  test('strict synth succeeds with an empty validation report', () => {
    const validate = jest.spyOn(CloudFormationValidatePlugin.prototype, 'validate');
    const app = new App({ context: STRICT_VALIDATION });
    const stack = new Stack(app, 'Bake', { env: ENV });
    const image = new GoldenImage(stack, 'WebImage', {
      parentImage: ParentImage.amazonLinux2023(),
      provisioners: [Provisioner.updateOs()],
      tests: [Provisioner.shell({ name: 'boots', commands: ['true'] })],
      buildOnDeploy: false,
      // Shared and copied to other accounts: encrypted with customer managed keys.
      rootVolume: { kmsKey: new kms.Key(stack, 'AmiKey') },
    });
    const launchTemplate = ec2.LaunchTemplate.fromLaunchTemplateAttributes(stack, 'Web', { launchTemplateId: 'lt-0123456789abcdef0' });
    const pipeline = image.addPipeline('Rebake', {
      schedule: PipelineSchedule.weekly({ day: WeekDay.SUNDAY, hour: 3, timeZone: TimeZone.EUROPE_PARIS }),
      rebuildWhen: RebuildCondition.WHEN_DEPENDENCIES_UPDATED,
      autoDisableAfterFailures: 3,
      description: 'Weekly rebake',
      testTimeout: Duration.hours(2),
      vulnerabilityScanning: true,
      logging: { retention: logs.RetentionDays.ONE_MONTH },
      notifications: { emails: ['ops@example.com'] },
      distribution: [
        { ssmParameters: [{ parameterName: '/golden/web/latest' }], launchTemplates: [{ launchTemplate }] },
        {
          region: 'us-east-1',
          kmsKey: kms.Key.fromKeyArn(stack, 'UsKey', 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555'),
          copyToAccounts: ['111111111111'],
          launchPermissions: { accounts: ['222222222222'], organizationArns: ['arn:aws:organizations::123456789012:organization/o-abcdefghij'] },
          amiTags: { copy: 'us' },
          ssmParameters: [{ parameterName: '/golden/web/latest', account: '111111111111' }],
        },
      ],
      keepImages: ImageRetention.age(Duration.days(90), 2),
      runOnDeploy: true,
    });
    pipeline.onImageBuilt('Built');
    pipeline.onImageFailed('Failed');
    pipeline.onVulnerabilitiesFound('Cves');
    pipeline.onPipelineDisabled('Disabled');

    const assembly = app.synth();

    const validated = validate.mock.calls.flatMap(([context]: [IPolicyValidationContext]) => context.templatePaths.map(p => path.basename(p)));
    expect(validated).toEqual([stack.templateFile]);
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf-8'));
    expect(report.pluginReports).toEqual([]);
  });
});
