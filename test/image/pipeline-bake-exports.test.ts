import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import jsonata from 'jsonata';
import { DiskFormat, GoldenImage, GoldenImageProps, ParentImage, Provisioner, VmExport } from '../../src';
import { ENV, onlyResource, resourcesOf } from '../support/stacks';

const TWO_EXPORTS = (bucket: s3.IBucket) => [VmExport.toBucket(bucket, { prefix: 'vagrant/web/' }), VmExport.toBucket(bucket, { prefix: 'hyperv/web/', format: DiskFormat.VHD })];

/** A Debian image exported to a bucket, with the pipelines given. */
function bakeStack(props: Partial<GoldenImageProps> = {}, pipelines = 1, exports = TWO_EXPORTS) {
  const stack = new Stack(new App(), 'Bake', { env: ENV });
  const image = new GoldenImage(stack, 'WebImage', {
    parentImage: ParentImage.debian({ release: '12' }),
    provisioners: [Provisioner.updateOs()],
    rootVolume: { encrypted: false },
    buildOnDeploy: false,
    vmExports: exports(new s3.Bucket(stack, 'Disks')),
    ...props,
  });
  for (let i = 0; i < pipelines; i++) {
    image.addPipeline(`Rebake${i}`);
  }
  return { stack, image, template: Template.fromStack(stack) };
}

/** The state machine's definition, its CloudFormation references shown as `Ref:<id>` / `GetAtt:<id>.<attribute>`. */
function definition(template: Template): any {
  const body = onlyResource(template, 'AWS::StepFunctions::StateMachine').props.DefinitionString;
  const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  return JSON.parse(parts.map(part => typeof part === 'string' ? part
    : (part as any).Ref ? `Ref:${(part as any).Ref}` : `GetAtt:${(part as any)['Fn::GetAtt'].join('.')}`).join(''));
}

/** The expression between `{%` and `%}`. */
function expression(value: string): string {
  return /^\{%(.*)%\}$/s.exec(value)![1];
}

const BUILD_ARN = 'arn:aws:imagebuilder:eu-west-1:123456789012:image/bake-webimage-recipe/1.0.3/2';
const EVENT = {
  'version': '0',
  'id': '5a4a3a3e-0b6c-4f4c-9a0e-1e2f3a4b5c6d',
  'detail-type': 'EC2 Image Builder Image State Change',
  'source': 'aws.imagebuilder',
  'account': '123456789012',
  'region': 'eu-west-1',
  'resources': [BUILD_ARN],
  'detail': { 'previous-state': { status: 'DISTRIBUTING' }, 'state': { status: 'AVAILABLE' } },
};
/** GetImage's answer as Step Functions hands it on (the SDK integration's PascalCase). */
const GET_IMAGE = {
  Image: {
    Arn: BUILD_ARN,
    SourcePipelineArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/bake-webimage-rebake0',
    OutputResources: {
      Amis: [
        { Region: 'us-east-1', Image: 'ami-0aaaaaaaaaaaaaaaa', AccountId: '123456789012' },
        { Region: 'eu-west-1', Image: 'ami-0bbbbbbbbbbbbbbbb', AccountId: '123456789012' },
      ],
    },
  },
};

describe('pipeline bakes of an image with vmExports', () => {
  const { template, image } = bakeStack();
  const states = definition(template).States;

  test('an EventBridge rule on the image\'s builds becoming AVAILABLE starts the state machine', () => {
    const rule = onlyResource(template, 'AWS::Events::Rule').props;
    expect(rule.EventPattern).toEqual({
      'source': ['aws.imagebuilder'],
      'detail-type': ['EC2 Image Builder Image State Change'],
      'resources': [{ prefix: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/^:imagebuilder:eu-west-1:123456789012:image\/bake-webimage-[0-9a-f]+\/$/)]] } }],
      'detail': { state: { status: ['AVAILABLE'] } },
    });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/^WebImageVmExportsPipelineBakesStateMachine/) } })]);
  });

  test('no deploy-time export and no location: nothing is built at deploy', () => {
    expect(resourcesOf(template, 'Custom::AWS')).toHaveLength(0);
    expect(image.exportedDiskLocations).toEqual([]);
  });

  test('GetImage, then a choice, then one ExportImage per export with the format, bucket, prefix and service role', () => {
    expect(definition(template).QueryLanguage).toBe('JSONata');
    expect(states.GetImage).toMatchObject({ Resource: expect.stringContaining(':states:::aws-sdk:imagebuilder:getImage'), Next: 'FromPipeline' });
    expect(states.FromPipeline.Choices[0].Next).toBe('Export0');
    expect(states.Export0).toMatchObject({ Resource: expect.stringContaining(':states:::aws-sdk:ec2:exportImage'), Next: 'Export1' });
    const roles = resourcesOf(template, 'AWS::IAM::Role').filter(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie.amazonaws.com'));
    expect(roles).toHaveLength(2);
    expect(states.Export0.Arguments).toEqual({
      ImageId: '{% $states.input.imageId %}',
      DiskImageFormat: 'VMDK',
      S3ExportLocation: { S3Bucket: expect.stringMatching(/^Ref:Disks/), S3Prefix: 'vagrant/web/' },
      RoleName: `Ref:${roles[0].id}`,
      Description: expect.stringMatching(/\(cdk-immutable-infra\)$/),
      ClientToken: '{% $states.input.eventId & \'-0\' %}',
    });
    expect(states.Export1.Arguments).toMatchObject({ DiskImageFormat: 'VHD', S3ExportLocation: { S3Prefix: 'hyperv/web/' }, RoleName: `Ref:${roles[1].id}` });
    expect(states.Export1.End).toBe(true);
  });

  test('the expressions pick the build-region AMI of a pipeline bake, and pass it to every export', async () => {
    const outputs = states.GetImage.Output;
    const bindings = { states: { input: EVENT, result: GET_IMAGE } };
    const evaluate = (value: string, b: object) => jsonata(expression(value)).evaluate({}, b);
    const selected = {
      imageId: await evaluate(outputs.imageId, bindings),
      fromPipeline: await evaluate(outputs.fromPipeline, bindings),
      eventId: await evaluate(outputs.eventId, bindings),
    };
    expect(selected).toEqual({ imageId: 'ami-0bbbbbbbbbbbbbbbb', fromPipeline: true, eventId: EVENT.id });
    expect(await evaluate(states.FromPipeline.Choices[0].Condition, { states: { input: selected } })).toBe(true);
    expect(await evaluate(states.Export0.Arguments.ImageId, { states: { input: selected } })).toBe('ami-0bbbbbbbbbbbbbbbb');
    expect(await evaluate(states.Export0.Arguments.ClientToken, { states: { input: selected } })).toBe(`${EVENT.id}-0`);
    expect(await evaluate(states.Export0.Output, { states: { input: selected } })).toEqual(selected);
  });

  test('a build that did not come from a pipeline (the deploy-time build) is not exported again', async () => {
    const result = { Image: { ...GET_IMAGE.Image, SourcePipelineArn: undefined } };
    const fromPipeline = await jsonata(expression(states.GetImage.Output.fromPipeline)).evaluate({}, { states: { input: EVENT, result } });
    expect(fromPipeline).toBe(false);
    expect(states.FromPipeline.Default).toBe('NotAPipelineBake');
  });

  test('the state machine may read only the image\'s builds, export any AMI (as documented) and write only under the prefixes', () => {
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(p => JSON.stringify(p.props.Roles).includes('StateMachineRole'))
      .flatMap(p => p.props.PolicyDocument.Statement);
    const byAction = (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action)).map((s: any) => s.Resource);
    expect(JSON.stringify(byAction('imagebuilder:getImage'))).toMatch(/:image\/bake-webimage[^"]*\/\*"/);
    // One statement for both exports (the policy merges equal statements).
    expect(byAction('ec2:exportImage')).toEqual(['*']);
    expect(JSON.stringify(byAction('s3:PutObject'))).toContain('/vagrant/web/*');
    expect(JSON.stringify(byAction('s3:PutObject'))).toContain('/hyperv/web/*');
    expect(statements.some((s: any) => [s.Action].flat().some((a: string) => a === '*' || a.endsWith(':*')))).toBe(false);
  });
});

test('with a deploy-time build too, the deploy-time export and the pipeline bakes share the vmimport role', () => {
  const both = bakeStack({ buildOnDeploy: true }, 1, bucket => [VmExport.toBucket(bucket)]).template;
  const role = resourcesOf(both, 'AWS::IAM::Role').filter(r => JSON.stringify(r.props.AssumeRolePolicyDocument).includes('vmie.amazonaws.com'));
  expect(role).toHaveLength(1);
  expect(JSON.stringify(onlyResource(both, 'Custom::AWS').props)).toContain(role[0].id);
  expect(definition(both).States.Export0.Arguments.RoleName).toBe(`Ref:${role[0].id}`);
});

test('two pipelines share one state machine; an image without pipelines has none', () => {
  expect(resourcesOf(bakeStack({}, 2).template, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
  expect(resourcesOf(bakeStack({}, 0).template, 'AWS::StepFunctions::StateMachine')).toHaveLength(0);
});
