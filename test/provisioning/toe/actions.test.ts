import { closestToeAction, TOE_ACTIONS, toeAction } from '../../../src/provisioning/toe/actions';

/** The AWSTOE action modules: the user guide's list plus Assert (the CDK alpha module's enum has all 30). */
const ACTION_MODULES = [
  'ExecuteBash', 'ExecutePowerShell', 'ExecuteBinary', 'ExecuteDocument',
  'S3Download', 'S3Upload', 'WebDownload',
  'AppendFile', 'CopyFile', 'CopyFolder', 'CreateFile', 'CreateFolder', 'CreateSymlink', 'DeleteFile', 'DeleteFolder',
  'ListFiles', 'MoveFile', 'MoveFolder', 'ReadFile', 'SetFileEncoding', 'SetFileOwner', 'SetFolderOwner',
  'SetFilePermissions', 'SetFolderPermissions',
  'InstallMSI', 'UninstallMSI',
  'Reboot', 'SetRegistry', 'UpdateOS',
  'Assert',
];

describe('the action catalogue', () => {
  test('has every AWSTOE action module and nothing else', () => {
    expect(Object.keys(TOE_ACTIONS).sort()).toEqual([...ACTION_MODULES].sort());
    expect(ACTION_MODULES).toHaveLength(30);
  });

  test.each(Object.values(TOE_ACTIONS).map(spec => [spec.name, spec] as const))('%s is consistent', (name, spec) => {
    expect(spec.name).toBe(name);
    expect(spec.platforms.length).toBeGreaterThan(0);
    for (const key of spec.exactlyOneOf ?? []) {
      expect(Object.keys(spec.inputs)).toContain(key);
    }
    const required = Object.entries(spec.inputs).filter(([, input]) => input.required);
    if (spec.inputsRequired && !spec.openInputs) {
      expect(required.length + (spec.exactlyOneOf ? 1 : 0)).toBeGreaterThan(0);
    }
    if (!spec.inputsRequired) {
      expect(required).toEqual([]);
    }
    if (spec.platforms.length === 1) {
      expect(spec.alternative).toBeDefined();
    }
  });

  test.each([
    ['ExecuteBash', ['Linux'], 'map'],
    ['ExecutePowerShell', ['Windows'], 'map'],
    ['ExecuteBinary', ['Linux', 'Windows'], 'map'],
    ['S3Download', ['Linux', 'Windows'], 'list'],
    ['CreateSymlink', ['Linux'], 'list'],
    ['InstallMSI', ['Windows'], 'map'],
    ['SetRegistry', ['Windows'], 'list'],
    ['UpdateOS', ['Linux', 'Windows'], 'map'],
    ['Reboot', ['Linux', 'Windows'], 'map'],
  ])('%s runs on %j and takes a %s', (name, platforms, shape) => {
    expect(toeAction(name)).toMatchObject({ platforms, inputShape: shape });
  });

  test('names are exact', () => {
    expect(toeAction('executebash')).toBeUndefined();
    expect(toeAction('toString')).toBeUndefined();
    expect(toeAction('constructor')).toBeUndefined();
  });

  test('misspellings find the closest action', () => {
    expect(closestToeAction('ExecuteBsh')).toBe('ExecuteBash');
    expect(closestToeAction('s3download')).toBe('S3Download');
    expect(closestToeAction('InstallMsi')).toBe('InstallMSI');
    expect(closestToeAction('Teleport')).toBeUndefined();
  });

  test('documented outputs are what chaining can read', () => {
    expect(toeAction('ExecuteBash')!.outputs).toEqual(['stdout']);
    expect(toeAction('WebDownload')!.outputs).toEqual(['destination']);
    expect(toeAction('ListFiles')!.outputs).toEqual(['files']);
    expect(toeAction('ReadFile')!.outputs).toEqual(['content']);
    expect(toeAction('S3Download')!.outputs).toEqual([]);
    expect(toeAction('ExecuteDocument')!.outputs).toBeUndefined();
  });
});
