import { Duration } from 'aws-cdk-lib';
import { kindTestBed, onlyPhaseSteps, PLACEHOLDER, validationErrors } from './kind-context';
import { OsFamily } from '../../src/common/os-family';
import { RebootProvisionerOptions, RebootStep } from '../../src/provisioning/reboot';
import { StepFailureAction } from '../../src/provisioning/step-options';

function bindReboot(options: RebootProvisionerOptions = {}, osFamily = OsFamily.LINUX) {
  const bed = kindTestBed({ osFamily, defaultName: 'reboot-4' });
  const bound = new RebootStep(options).bind(bed.context);
  return { bound, document: bound.document!(PLACEHOLDER) };
}

describe('Provisioner.reboot', () => {
  test.each([OsFamily.LINUX, OsFamily.WINDOWS])('a bare Reboot step on %s', osFamily => {
    const { bound, document } = bindReboot({}, osFamily);
    expect(bound).toMatchObject({ name: 'reboot-4', platform: osFamily });
    expect(onlyPhaseSteps(document)).toEqual([{ name: 'reboot-4', action: 'Reboot' }]);
    expect(validationErrors(document, osFamily)).toEqual([]);
  });

  test('a delay becomes delaySeconds; retries and failure handling are kept', () => {
    const { document } = bindReboot({ name: 'restart', delay: Duration.minutes(1), maxAttempts: 2, onFailure: StepFailureAction.CONTINUE });
    expect(onlyPhaseSteps(document)).toEqual([
      { name: 'restart', action: 'Reboot', maxAttempts: 2, onFailure: 'Continue', inputs: { delaySeconds: 60 } },
    ]);
    expect(validationErrors(document, OsFamily.LINUX)).toEqual([]);
  });

  test('a zero delay is allowed', () => {
    expect(onlyPhaseSteps(bindReboot({ delay: Duration.seconds(0) }).document)[0].inputs).toEqual({ delaySeconds: 0 });
  });

  test('a timeout is refused: AWSTOE does not take one on Reboot', () => {
    expect(() => bindReboot({ timeout: Duration.minutes(5) }))
      .toThrow(/KindTest\/Image: invalid provisioners\[0\]\.timeout '5 minutes': AWSTOE's Reboot action takes no timeout.*Remove timeout; use delay/);
  });

  test('a delay that is not whole seconds is refused', () => {
    expect(() => bindReboot({ delay: Duration.millis(1500) }))
      .toThrow(/invalid provisioners\[0\]\.delay '1 second 500 millis': AWSTOE takes the reboot delay in whole seconds/);
  });
});
