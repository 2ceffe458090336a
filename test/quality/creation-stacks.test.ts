import * as path from 'path';
import { CfnElement } from 'aws-cdk-lib';
import { synthesiseExampleApp } from './example-app';

/*
 * aws-cdk-lib records where each CloudFormation element was created and shows it when a deploy
 * or a validation fails on that element. It folds a package's frames into one line and shows the
 * app's own frames one by one; a native frame (Array.map, Array.forEach) has no file name, so it
 * shows as a line of the app's code, "Array.map (:)". The library creates its elements from
 * plain calls and loops, so a user's trace holds the user's own frames and one line for us.
 */
const LIBRARY_SOURCE = path.join(__dirname, '..', '..', 'src') + path.sep;

describe('creation stack traces of the example app', () => {
  const { app } = synthesiseExampleApp();
  const elements = app.node.findAll().filter(CfnElement.isCfnElement);

  test('every element has a creation stack trace', () => {
    expect(elements.length).toBeGreaterThan(50);
    const without = elements.filter(e => !e.creationStack || e.creationStack.length === 0).map(e => e.node.path);
    expect(without).toEqual([]);
  });

  test('no trace through the library shows a native frame as if it were the app\'s code', () => {
    // Here the library runs from src/, so its frames show one by one; aws-cdk-lib's own
    // constructs (the example's VPC) loop with Array.forEach, which is theirs to show.
    const throughLibrary = elements.filter(e => e.creationStack.some(line => line.includes(LIBRARY_SOURCE)));
    expect(throughLibrary.length).toBeGreaterThan(50);
    const nativeFrames = throughLibrary.flatMap(e => e.creationStack
      .filter(line => /\(:\)$/.test(line.trim()))
      .map(line => `${e.node.path}: ${line.trim()}`));
    expect(nativeFrames).toEqual([]);
  });
});
