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
    for (const path of ['/Repeat/A', '/Repeat/B']) {
      // Said by the document's own check, which names where the document came from; the
      // component, which checks every document, does not say it again.
      const warnings = Annotations.fromStack(stack).findWarning(path, Match.stringLikeRegexp('comand is not an input of ExecuteBash'));
      expect(warnings.map(w => w.entry.data)).toEqual([expect.stringMatching(/^provisioners\[0\]: the component document: phases\[0\]\.steps\[0\]\.inputs\.comand/)]);
    }
  });
});
