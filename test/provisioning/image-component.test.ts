import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { GoldenImage, ParentImage, Provisioner } from '../../src';
import * as validate from '../../src/provisioning/toe/validate';
import { ENV } from '../support/stacks';

/** Images that share provisioners share their documents' validation, never its outcome. */
describe('documents repeated across images', () => {
  afterEach(() => jest.restoreAllMocks());

  function stackOf(images: Array<{ id: string; provisioner: Provisioner }>): Stack {
    const stack = new Stack(new App(), 'Repeat', { env: ENV });
    for (const { id, provisioner } of images) {
      new GoldenImage(stack, id, { parentImage: ParentImage.debian({ release: '12' }), provisioners: [provisioner], verifySsmAgent: false });
    }
    return stack;
  }

  test('a document is validated once, and each image still gets its own component', () => {
    const spy = jest.spyOn(validate, 'validateComponentDocument');
    const harden = () => Provisioner.shell({ name: 'harden', commands: [`echo repeated-${process.pid}`] });
    const stack = stackOf([{ id: 'A', provisioner: harden() }, { id: 'B', provisioner: harden() }, { id: 'C', provisioner: harden() }]);
    expect(spy).toHaveBeenCalledTimes(1);
    const components = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::Component'));
    expect(components).toHaveLength(3);
    expect(new Set(components.map(c => c.Properties.Data)).size).toBe(1);
  });

  test('another document is validated on its own', () => {
    const spy = jest.spyOn(validate, 'validateComponentDocument');
    stackOf([
      { id: 'A', provisioner: Provisioner.shell({ name: 'one', commands: [`echo one-${process.pid}`] }) },
      { id: 'B', provisioner: Provisioner.shell({ name: 'two', commands: [`echo two-${process.pid}`] }) },
    ]);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  test('every image that repeats a document with a warning is warned, once', () => {
    const document = [
      'schemaVersion: 1.0',
      'phases:',
      '  - name: build',
      '    steps:',
      '      - name: say',
      '        action: ExecuteBash',
      '        inputs:',
      `          commands: [echo warned-${process.pid}]`,
      '          comand: typo',
    ].join('\n');
    const stack = stackOf([
      { id: 'A', provisioner: Provisioner.fromComponentDocument(document) },
      { id: 'B', provisioner: Provisioner.fromComponentDocument(document) },
    ]);
    for (const at of ['/Repeat/A', '/Repeat/B']) {
      // Said by the document's own check, which names where the document came from; the
      // component, which checks every document, does not say it again.
      const warnings = Annotations.fromStack(stack).findWarning(at, Match.stringLikeRegexp('comand is not an input of ExecuteBash'));
      expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^provisioners\[0\]: the component document: phases\[0\]\.steps\[0\]\.inputs\.comand/)]);
    }
  });
});

describe('where a document goes: inline up to CloudFormation\'s 16,000 characters, as deployed', () => {
  const fixtures = path.join(__dirname, 'fixtures');
  const script = path.join(fixtures, 'fixture-script.sh');
  beforeAll(() => {
    fs.mkdirSync(fixtures, { recursive: true });
    fs.writeFileSync(script, '#!/bin/sh\necho hello\n');
  });
  afterAll(() => fs.rmSync(script, { force: true }));

  /** `env` {} makes a stack without account and region, whose asset locations are known at deploy time only. */
  function component(provisioner: Provisioner, env: { account?: string; region?: string } = ENV): { props: any; text: string } {
    const stack = new Stack(new App(), 'Bake', { env });
    const image = new GoldenImage(stack, 'Web', { parentImage: ParentImage.amazonLinux2023(), provisioners: [provisioner], verifySsmAgent: false });
    const name = Object.keys(image.componentDocuments)[0];
    const resource = Object.values(Template.fromStack(stack).findResources('AWS::ImageBuilder::Component'))[0] as any;
    return { props: resource.Properties, text: image.componentDocuments[name] };
  }
  /** A script step whose environment pads the document to `length` characters (as validated). */
  function scriptOf(length: number): Provisioner {
    const base = component(Provisioner.shellScript({ name: 'pad', path: script, environment: { PAD: '' } }), {}).text.length;
    return Provisioner.shellScript({ name: 'pad', path: script, environment: { PAD: 'p'.repeat(length - base) } });
  }

  test('without assets, a document over the limit is uploaded and the component reads it from S3', () => {
    const { props, text } = component(Provisioner.shell({ name: 'long', commands: Array.from({ length: 500 }, (_, i) => `echo line-${i}-${'x'.repeat(30)}`) }));
    expect(text.length).toBeGreaterThan(16_000);
    expect(props.Data).toBeUndefined();
    expect(props.Uri).toMatch(/^s3:\/\/cdk-hnb659fds-assets-123456789012-eu-west-1\/[0-9a-f]{64}\.yaml$/);
  });

  test('with the stack\'s account and region the deployed text is known: measured as it is', () => {
    // 15,990 characters as validated; the bucket's longer location takes it over the limit, so it is uploaded.
    const { props, text } = component(scriptOf(15_990));
    expect(text.length).toBe(15_990);
    expect(props.Data).toBeUndefined();
    expect(props.Uri).toMatch(/\.yaml$/);
    expect(component(scriptOf(15_900)).props.Data).toBeDefined();
  });

  test('without them, a document that refers to an asset is measured with the asset\'s longest deployed location', () => {
    // Fits with room for its S3 location: inline.
    expect(component(scriptOf(15_800), {}).props.Data).toBeDefined();
    // Would fit as validated (with the short content-hash location), but maybe not once deployed, and cannot be uploaded: refused at synth.
    expect(() => component(scriptOf(15_990), {}))
      .toThrow(/^Bake\/Web: provisioners\[0\] \('pad'\) renders a document of up to \d+ characters once its 1 asset location\(s\) are known; CloudFormation takes at most 16000 inline/);
  });
});
