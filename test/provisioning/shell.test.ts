import * as fs from 'fs';
import * as path from 'path';
import { kindTestBed, PLACEHOLDER, tempFolder } from './kind-context';
import { runDocument } from './run-steps';
import { InlineShell } from '../../src/provisioning/shell';

describe('the rendered bash of an inline shell provisioner runs', () => {
  test('environment and commands, stopping at the first failure', () => {
    const root = tempFolder('shell-run-');
    const bed = kindTestBed();
    const bound = new InlineShell({
      commands: [`cd '${root}'`, 'echo "$GREETING, $TARGET" > out.txt', 'false', 'echo never >> out.txt'],
      environment: { GREETING: 'it\'s a "golden" image', TARGET: '$HOME' },
    }).bind(bed.context);
    const result = runDocument(bound.document!(PLACEHOLDER), new Map());
    expect(result.status).not.toBe(0);
    expect(fs.readFileSync(path.join(root, 'out.txt'), 'utf8')).toBe('it\'s a "golden" image, $HOME\n');
  });
});
