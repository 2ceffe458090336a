import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import {
  awsServiceSpecRegistry, checkAssembly, checkTemplate, Finding, FindingRule, formatFindings, ISchemaRegistry, SpecTypeDefinition,
} from '../../tools/cfn-schema';

/*
 * The checker's own tests: one deliberately broken template per rule, against the real
 * CloudFormation schemas from @aws-cdk/aws-service-spec, and a clean template that uses every
 * construct the checker has to see through (intrinsics, conditions, AWS::NoValue, scalar
 * conversions, custom resources, outputs and rules).
 */

/** A distribution configuration as the library synthesises it. */
function distribution(amiDistributionConfiguration: unknown): Record<string, unknown> {
  return {
    Type: 'AWS::ImageBuilder::DistributionConfiguration',
    Properties: {
      Name: 'golden-web',
      Distributions: [{ Region: { Ref: 'AWS::Region' }, AmiDistributionConfiguration: amiDistributionConfiguration }],
    },
  };
}

function template(resources: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Resources: resources, ...extra };
}

/** The rules of the findings, for compact assertions; the full text when a test fails. */
function rules(findings: readonly Finding[]): FindingRule[] {
  return findings.map(f => f.rule);
}

describe('a clean template', () => {
  const clean = template({
    Key: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: [] } } },
    Queue: {
      Type: 'AWS::SQS::Queue',
      Condition: 'IsProd',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        // CloudFormation converts these scalars: a numeric string for an integer, a string for a boolean.
        VisibilityTimeout: '60',
        MessageRetentionPeriod: { 'Fn::If': ['IsProd', 1209600, { Ref: 'AWS::NoValue' }] },
        FifoQueue: 'true',
        QueueName: { 'Fn::Sub': ['${Prefix}-${AWS::StackName}.fifo', { Prefix: { Ref: 'Env' } }] },
        KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] },
        Tags: [{ Key: 'team', Value: { 'Fn::FindInMap': ['Teams', { Ref: 'Env' }, 'Name'] } }],
      },
    },
    Dist: {
      ...distribution({ Name: 'web-{{ imagebuilder:buildDate }}', AmiTags: { role: 'web' }, LaunchPermissionConfiguration: { UserIds: ['123456789012'] } }),
      DependsOn: ['Key'],
    },
    Infra: {
      Type: 'AWS::ImageBuilder::InfrastructureConfiguration',
      Properties: {
        Name: 'golden-web',
        InstanceProfileName: 'golden-web',
        InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        TerminateInstanceOnFailure: { 'Fn::If': ['IsProd', true, false] },
        SecurityGroupIds: { 'Fn::Split': [',', { Ref: 'Groups' }] },
      },
    },
    Release: { Type: 'Custom::Release', Properties: { ServiceToken: { 'Fn::GetAtt': ['Key', 'Arn'] }, Anything: { Goes: 1 } } },
  }, {
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { Env: { Type: 'String' }, Groups: { Type: 'CommaDelimitedList' } },
    Mappings: { Teams: { prod: { Name: 'web' } } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    Outputs: {
      QueueUrl: { Condition: 'IsProd', Value: { Ref: 'Queue' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-queue' } } },
      Attribute: { Value: { 'Fn::GetAtt': ['Release', 'AnyAttributeOfACustomResource'] } },
    },
    Rules: { EnvSet: { Assertions: [{ Assert: { 'Fn::Contains': [['prod', 'dev'], { Ref: 'Env' }] } }] } },
  });

  test('has no findings', () => {
    expect(formatFindings(checkTemplate(clean))).toBe('');
  });
});

describe('one deliberately broken template per rule', () => {
  test('unknown top-level section', () => {
    const findings = checkTemplate(template({ Key: { Type: 'AWS::KMS::Key' } }, { Output: {} }));
    expect(rules(findings)).toEqual([FindingRule.TEMPLATE_STRUCTURE]);
    expect(findings[0].message).toContain('Did you mean "Outputs"?');
  });

  test('unknown resource type, with the closest real one', () => {
    const findings = checkTemplate(template({ Image: { Type: 'AWS::ImageBuilder::Imag', Properties: {} } }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_RESOURCE_TYPE]);
    expect(findings[0]).toMatchObject({ path: 'Resources.Image.Type', logicalId: 'Image' });
    expect(findings[0].message).toContain('Did you mean "AWS::ImageBuilder::Image"?');
  });

  test('unknown resource attribute and a deletion policy CloudFormation does not have', () => {
    const findings = checkTemplate(template({ Key: { Type: 'AWS::KMS::Key', Dependson: 'Key', DeletionPolicy: 'Keep' } }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_RESOURCE_ATTRIBUTE, FindingRule.UNKNOWN_RESOURCE_ATTRIBUTE]);
    expect(findings[0].message).toContain('Did you mean "DependsOn"?');
    expect(findings[1].path).toBe('Resources.Key.DeletionPolicy');
  });

  test('misspelt top-level property', () => {
    const findings = checkTemplate(template({ Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimout: 30 } } }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_PROPERTY]);
    expect(findings[0].message).toContain('Did you mean "VisibilityTimeout"?');
  });

  test('camelCase keys inside an untyped pass-through property (AmiDistributionConfiguration)', () => {
    const findings = checkTemplate(template({ Dist: distribution({ name: 'web-{{ imagebuilder:buildDate }}', amiTags: { role: 'web' } }) }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_PROPERTY, FindingRule.UNKNOWN_PROPERTY]);
    expect(findings[0]).toMatchObject({ path: 'Resources.Dist.Properties.Distributions[0].AmiDistributionConfiguration.name' });
    expect(findings[0].message).toContain('Did you mean "Name"? (names are case-sensitive)');
    expect(findings[1].message).toContain('Did you mean "AmiTags"?');
  });

  test('the same mistake made through the L1 class, which passes the value through unchecked', () => {
    const stack = new Stack(new App({ builtinCloudFormationValidation: false }), 'Stack');
    new imagebuilder.CfnDistributionConfiguration(stack, 'Dist', {
      name: 'golden-web',
      distributions: [{ region: 'eu-west-1', amiDistributionConfiguration: { name: 'web-{{ imagebuilder:buildDate }}' } }],
    });
    const synthesised = stack.node.root as App;
    const findings = checkTemplate(synthesised.synth().getStackByName('Stack').template);
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_PROPERTY]);
    expect(findings[0].path).toMatch(/AmiDistributionConfiguration\.name$/);
  });

  test('missing required properties, at the top and nested', () => {
    const findings = checkTemplate(template({
      Dist: {
        Type: 'AWS::ImageBuilder::DistributionConfiguration',
        Properties: { Distributions: [{ Region: 'eu-west-1', SsmParameterConfigurations: [{ DataType: 'aws:ec2:image' }] }] },
      },
    }));
    expect(rules(findings)).toEqual([FindingRule.MISSING_REQUIRED_PROPERTY, FindingRule.MISSING_REQUIRED_PROPERTY]);
    expect(formatFindings(findings)).toContain('requires "ParameterName"');
    expect(formatFindings(findings)).toContain('requires "Name"');
  });

  test('a required property set to AWS::NoValue counts as missing', () => {
    const findings = checkTemplate(template({
      Component: {
        Type: 'AWS::ImageBuilder::Component',
        Properties: { Name: 'c', Version: '1.0.0', Platform: { Ref: 'AWS::NoValue' }, Data: 'x' },
      },
    }));
    expect(rules(findings)).toEqual([FindingRule.MISSING_REQUIRED_PROPERTY]);
  });

  test.each([
    ['an object for a string', { QueueName: { Name: 'q' } }],
    ['a word for an integer', { VisibilityTimeout: 'thirty' }],
    ['a fraction for an integer', { VisibilityTimeout: 1.5 }],
    ['a word for a boolean', { FifoQueue: 'yes' }],
    ['a string for a list of tags', { Tags: 'team=web' }],
    ['a list where a tag object goes', { Tags: [['team', 'web']] }],
  ])('wrong type: %s', (_name, properties) => {
    const findings = checkTemplate(template({ Queue: { Type: 'AWS::SQS::Queue', Properties: JSON.parse(JSON.stringify(properties)) } }));
    expect(rules(findings)).toEqual([FindingRule.WRONG_TYPE]);
  });

  test('wrong type inside a map (AmiTags values are strings)', () => {
    const findings = checkTemplate(template({ Dist: distribution({ AmiTags: { role: ['web'] } }) }));
    expect(rules(findings)).toEqual([FindingRule.WRONG_TYPE]);
    expect(findings[0].path).toBe('Resources.Dist.Properties.Distributions[0].AmiDistributionConfiguration.AmiTags.role');
  });

  test('each branch of Fn::If is checked against the type', () => {
    const findings = checkTemplate(template({
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: { 'Fn::If': ['C', 30, 'soon'] } },
      },
    }, { Conditions: { C: { 'Fn::Equals': ['a', 'a'] } } }));
    expect(rules(findings)).toEqual([FindingRule.WRONG_TYPE]);
    expect(findings[0].path).toBe('Resources.Queue.Properties.VisibilityTimeout.Fn::If[2]');
  });

  test('values outside an enum, in a resource and in a nested property type', () => {
    const findings = checkTemplate(template({
      Component: { Type: 'AWS::ImageBuilder::Component', Properties: { Name: 'c', Version: '1.0.0', Platform: 'linux', Data: 'x' } },
      Infra: {
        Type: 'AWS::ImageBuilder::InfrastructureConfiguration',
        Properties: { Name: 'i', InstanceProfileName: 'p', InstanceMetadataOptions: { HttpTokens: 'requried' } },
      },
    }));
    expect(rules(findings)).toEqual([FindingRule.VALUE_NOT_IN_ENUM, FindingRule.VALUE_NOT_IN_ENUM]);
    expect(findings[0].message).toContain('Did you mean "Linux"?');
    expect(findings[1].message).toContain('Did you mean "required"?');
  });

  test('Ref to a resource or parameter the template does not have', () => {
    const findings = checkTemplate(template({
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
      Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'Rol' }] } },
    }));
    expect(rules(findings)).toEqual([FindingRule.UNRESOLVED_REFERENCE]);
    expect(findings[0]).toMatchObject({ path: 'Resources.Profile.Properties.Roles[0].Ref', logicalId: 'Profile' });
    expect(findings[0].message).toContain('Did you mean "Role"?');
  });

  test('Fn::GetAtt to a missing resource, to a parameter, and an attribute the type does not have', () => {
    const findings = checkTemplate(template({
      Dist: distribution({ Name: 'n-{{ imagebuilder:buildDate }}' }),
      Image: {
        Type: 'AWS::ImageBuilder::Image',
        Properties: {
          ImageRecipeArn: { 'Fn::GetAtt': ['Recipe', 'Arn'] },
          InfrastructureConfigurationArn: { 'Fn::GetAtt': 'Env.Arn' },
          DistributionConfigurationArn: { 'Fn::GetAtt': ['Dist', 'ARN'] },
        },
      },
    }, { Parameters: { Env: { Type: 'String' } } }));
    expect(rules(findings)).toEqual([FindingRule.UNRESOLVED_REFERENCE, FindingRule.UNRESOLVED_REFERENCE, FindingRule.UNKNOWN_ATTRIBUTE]);
    expect(findings[1].message).toContain('a parameter, not a resource');
    expect(findings[2].message).toContain('has no attribute "ARN"');
    expect(findings[2].message).toContain('Did you mean "Arn"?');
  });

  test('Fn::Sub variables: unknown names and attributes, while ${!Literal} and local variables are fine', () => {
    const findings = checkTemplate(template({
      Dist: distribution({ Name: 'n-{{ imagebuilder:buildDate }}' }),
      Param: {
        Type: 'AWS::SSM::Parameter',
        Properties: {
          Type: 'String',
          Value: { 'Fn::Sub': ['${Dist.Arn} ${!NotAVariable} ${Local} ${Missing} ${Dist.Url}', { Local: 'x' }] },
        },
      },
    }));
    expect(rules(findings)).toEqual([FindingRule.UNRESOLVED_REFERENCE, FindingRule.UNKNOWN_ATTRIBUTE]);
    expect(findings[0].message).toContain('"Missing"');
  });

  test('DependsOn to a missing resource, and to itself', () => {
    const findings = checkTemplate(template({
      Key: { Type: 'AWS::KMS::Key', DependsOn: ['Kee', 'Key'] },
    }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_DEPENDS_ON, FindingRule.UNKNOWN_DEPENDS_ON]);
    expect(findings[0].message).toContain('no resource of this template');
    expect(findings[1].message).toContain('the resource itself');
  });

  test('conditions that are not declared, on a resource, in Fn::If and in Conditions', () => {
    const findings = checkTemplate(template({
      Key: { Type: 'AWS::KMS::Key', Condition: 'IsProd', Properties: { EnableKeyRotation: { 'Fn::If': ['IsPrd', true, false] } } },
    }, { Conditions: { IsProd: { 'Fn::Not': [{ Condition: 'IsDev' }] } } }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_CONDITION, FindingRule.UNKNOWN_CONDITION]);
    expect(findings.map(f => f.path)).toEqual(['Resources.Key.Properties.EnableKeyRotation.Fn::If[0]', 'Conditions.IsProd.Fn::Not[0].Condition']);
  });

  test('Fn::FindInMap with a mapping the template does not have', () => {
    const findings = checkTemplate(template({
      Key: { Type: 'AWS::KMS::Key', Properties: { Description: { 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Name'] } } },
    }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_MAPPING]);
  });

  test('a misspelt intrinsic function', () => {
    const findings = checkTemplate(template({
      Key: { Type: 'AWS::KMS::Key' },
      Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/web', TargetKeyId: { 'Fn::GetAttr': ['Key', 'Arn'] } } },
    }));
    expect(rules(findings)).toEqual([FindingRule.UNKNOWN_INTRINSIC]);
    expect(findings[0].message).toContain('Did you mean "Fn::GetAtt"?');
  });

  test('a custom resource without a ServiceToken', () => {
    const findings = checkTemplate(template({ Release: { Type: 'Custom::Release', Properties: { Generation: 'a' } } }));
    expect(rules(findings)).toEqual([FindingRule.MISSING_REQUIRED_PROPERTY]);
  });
});

describe('union types', () => {
  // The real schemas' unions are nearly all "JSON or string"; a small registry pins the rule down.
  const definitions: Record<string, SpecTypeDefinition> = {
    1: { name: 'Window', properties: { Start: { type: { type: 'string' }, required: true } } },
  };
  const registry: ISchemaRegistry = {
    resource: type => type !== 'Test::Union::Thing' ? undefined : {
      cloudFormationType: type,
      attributes: {},
      properties: {
        Schedule: { type: { type: 'union', types: [{ type: 'string' }, { type: 'ref', reference: { $ref: '1' } }] } },
      },
    },
    typeDefinition: ref => definitions[ref.$ref],
    resourceTypeNames: () => ['Test::Union::Thing'],
  };
  const check = (schedule: unknown) => checkTemplate(template({ T: { Type: 'Test::Union::Thing', Properties: { Schedule: schedule } } }), { registry });

  test('a value matching any member passes', () => {
    expect(check('daily')).toEqual([]);
    expect(check({ Start: '09:00' })).toEqual([]);
  });

  test('a value matching no member reports the findings of the member of its own shape', () => {
    expect(rules(check({ Strat: '09:00' }))).toEqual([FindingRule.UNKNOWN_PROPERTY, FindingRule.MISSING_REQUIRED_PROPERTY]);
  });

  test('a value of a shape no member has is one wrong-type finding', () => {
    const findings = check(['daily']);
    expect(rules(findings)).toEqual([FindingRule.WRONG_TYPE]);
    expect(findings[0].message).toContain('must be a scalar or an object');
  });
});

describe('the schema registry', () => {
  test('is loaded once and shared', () => {
    expect(awsServiceSpecRegistry()).toBe(awsServiceSpecRegistry());
  });

  test('knows the Image Builder types the library synthesises, with their typed nested properties', () => {
    const registry = awsServiceSpecRegistry();
    const dist = registry.resource('AWS::ImageBuilder::DistributionConfiguration')!;
    const distributions = dist.properties.Distributions.type;
    if (distributions.type !== 'array' || distributions.element.type !== 'ref') {
      throw new Error(`Distributions is ${JSON.stringify(distributions)}`);
    }
    // Typed in the schema, although aws-cdk-lib's L1 class takes any value for it.
    const ami = registry.typeDefinition(distributions.element.reference).properties.AmiDistributionConfiguration.type;
    if (ami.type !== 'ref') {
      throw new Error(`AmiDistributionConfiguration is ${JSON.stringify(ami)}`);
    }
    expect(Object.keys(registry.typeDefinition(ami.reference).properties)).toEqual(expect.arrayContaining(['Name', 'AmiTags', 'KmsKeyId']));
    expect(registry.resource('AWS::ImageBuilder::Imagee')).toBeUndefined();
  });
});

describe('checkAssembly', () => {
  test('finds every stack template of a cloud assembly, nested stages included', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-schema-'));
    try {
      const app = new App({ outdir, builtinCloudFormationValidation: false });
      new imagebuilder.CfnComponent(new Stack(app, 'Good'), 'C', { name: 'c', version: '1.0.0', platform: 'Linux', data: 'x' });
      const stage = new Stage(app, 'Beta');
      new imagebuilder.CfnComponent(new Stack(stage, 'Bad'), 'C', { name: 'c', version: '1.0.0', platform: 'linux', data: 'x' });
      app.synth();

      const results = checkAssembly(outdir);
      expect(results).toHaveLength(2);
      const good = results.find(r => r.templateFile === 'Good.template.json');
      const bad = results.find(r => r.templateFile.startsWith(`assembly-Beta${path.sep}BetaBad`));
      expect(good?.findings).toEqual([]);
      expect(rules(bad?.findings ?? [])).toEqual([FindingRule.VALUE_NOT_IN_ENUM]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
