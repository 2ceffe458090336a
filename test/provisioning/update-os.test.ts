import { Duration } from 'aws-cdk-lib';
import { kindTestBed, onlyPhaseSteps, PLACEHOLDER, validationErrors } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { UpdateOsProvisionerOptions, UpdateOsStep } from '../../src/provisioning/update-os';

function bindUpdate(options: UpdateOsProvisionerOptions = {}, osFamily = OsFamily.LINUX) {
  const bed = kindTestBed({ osFamily, defaultName: 'update-os-1' });
  const bound = new UpdateOsStep(options).bind(bed.context);
  return { bound, document: bound.document!(PLACEHOLDER) };
}

describe('Provisioner.updateOs', () => {
  test.each([OsFamily.LINUX, OsFamily.WINDOWS])('all updates on %s: an UpdateOS step without inputs', osFamily => {
    const { bound, document } = bindUpdate({}, osFamily);
    expect(bound).toMatchObject({ name: 'update-os-1', platform: osFamily });
    expect(onlyPhaseSteps(document)).toEqual([{ name: 'update-os-1', action: 'UpdateOS' }]);
    expect(validationErrors(document, osFamily)).toEqual([]);
  });

  test('include and exclude lists, and step settings', () => {
    const { document } = bindUpdate({ include: ['kernel*', 'openssl'], exclude: ['nginx'], timeout: Duration.hours(1) });
    expect(onlyPhaseSteps(document)).toEqual([{
      name: 'update-os-1',
      action: 'UpdateOS',
      timeoutSeconds: 3600,
      inputs: { include: ['kernel*', 'openssl'], exclude: ['nginx'] },
    }]);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('Windows KB ids', () => {
    const { document } = bindUpdate({ exclude: ['KB5005112'] }, OsFamily.WINDOWS);
    expect(onlyPhaseSteps(document)[0].inputs).toEqual({ exclude: ['KB5005112'] });
  });

  test('an empty list or a blank entry is refused', () => {
    expect(() => bindUpdate({ include: [] })).toThrow(/invalid provisioners\[0\]\.include \[\]: an empty include list means nothing to AWSTOE/);
    expect(() => bindUpdate({ exclude: ['nginx', ' '] })).toThrow(/invalid provisioners\[0\]\.exclude\[1\] ' ': an update name must be a non-empty single line/);
  });
});
