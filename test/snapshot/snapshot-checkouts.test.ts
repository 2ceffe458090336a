import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { temporaryRoot } from './review-app';
import { buildExampleApp } from '../../examples/golden-web';
import { SnapshotTemplate } from '../../src';
import { copyProject, runInProject } from '../quality/example-app';

/** The handler bundle whose asset hash broke this repository's own snapshots once. */
const BUNDLE = path.join('assets', 'handlers', 'release-controller', 'is-complete.lambda', 'index.js');

/*
 * The example app's snapshots from another checkout (another absolute path, another working
 * directory, another process) whose release controller bundle is a new build, as after an
 * upgrade of the library: the templates differ, the snapshots do not.
 */
describe('SnapshotTemplate across checkouts and library builds', () => {
  let root: string;
  beforeAll(() => {
    root = temporaryRoot('snapshot-checkouts-');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('another path and a rebuilt handler bundle: templates differ, snapshots are identical', () => {
    const app = new App({ builtinCloudFormationValidation: false } as ConstructorParameters<typeof App>[0]);
    const stacks = buildExampleApp(app);
    const here = {
      templates: stacks.map(s => Template.fromStack(s).toJSON()),
      snapshots: stacks.map(s => SnapshotTemplate.of(s)),
    };

    const copy = path.join(root, 'checkout', 'project');
    copyProject(copy);
    fs.appendFileSync(path.join(copy, BUNDLE), '\n// the next build of the release controller\n');
    const output = runInProject(copy, root, [
      "const { App } = require('aws-cdk-lib');",
      "const { Template } = require('aws-cdk-lib/assertions');",
      "const { buildExampleApp } = require('./examples/golden-web');",
      "const { SnapshotTemplate } = require('./src');",
      'const app = new App({ builtinCloudFormationValidation: false });',
      'const stacks = buildExampleApp(app);',
      'process.stdout.write(JSON.stringify({',
      '  templates: stacks.map(s => Template.fromStack(s).toJSON()),',
      '  snapshots: stacks.map(s => SnapshotTemplate.of(s)),',
      '}));',
    ]);
    const there = JSON.parse(output);

    expect(JSON.stringify(there.templates)).not.toBe(JSON.stringify(here.templates));
    expect(there.snapshots).toEqual(here.snapshots);
  }, 180_000);
});
