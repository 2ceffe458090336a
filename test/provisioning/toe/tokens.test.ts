import { Lazy, Stack, Token } from 'aws-cdk-lib';
import { ToeDocument } from '../../../src/provisioning/toe/component-document';
import { parseComponentDocumentYaml } from '../../../src/provisioning/toe/parse';
import { renderComponentDocument } from '../../../src/provisioning/toe/render';
import { validateComponentDocument } from '../../../src/provisioning/toe/validate';

/** A document whose values come from CDK tokens, resolved only at synth (or deploy) time. */
function tokenDocument(): ToeDocument {
  return {
    schemaVersion: '1.0',
    phases: [{
      name: 'build',
      steps: [
        {
          name: 'Get',
          action: 'S3Download',
          timeoutSeconds: Token.asNumber(Lazy.number({ produce: () => 600 })),
          maxAttempts: Token.asNumber(Lazy.number({ produce: () => 2 })),
          inputs: [{
            source: `s3://${Lazy.string({ produce: () => 'my-bucket' })}/app.msi`,
            destination: 'C:\\app.msi',
            overwrite: Lazy.string({ produce: () => 'true' }),
          }],
        },
        {
          name: 'Install',
          action: 'InstallMSI',
          inputs: { path: '{{ build.Get.inputs[0].destination }}', reboot: Lazy.string({ produce: () => 'Skip' }) },
        },
      ],
    }],
  };
}

describe('CDK tokens', () => {
  test('are not checked by the validator, whose checks need the values', () => {
    expect(validateComponentDocument(tokenDocument(), { platform: 'Windows' })).toEqual([]);
  });

  test('a token is still checked for its kind', () => {
    const doc = tokenDocument();
    (doc.phases[0].steps[1] as { inputs: unknown }).inputs = { path: 'a.msi', properties: Lazy.string({ produce: () => 'A=B' }) };
    expect(validateComponentDocument(doc, { platform: 'Windows' }).map(f => f.path)).toEqual(['phases[0].steps[1].inputs.properties']);
  });

  test('are rendered so that they resolve, numbers included', () => {
    const stack = new Stack();
    const resolved = stack.resolve(renderComponentDocument(tokenDocument()));
    expect(typeof resolved).toBe('string');
    expect(parseComponentDocumentYaml(resolved)).toEqual({
      schemaVersion: '1.0',
      phases: [{
        name: 'build',
        steps: [
          {
            name: 'Get',
            action: 'S3Download',
            timeoutSeconds: 600,
            maxAttempts: 2,
            inputs: [{ source: 's3://my-bucket/app.msi', destination: 'C:\\app.msi', overwrite: 'true' }],
          },
          { name: 'Install', action: 'InstallMSI', inputs: { path: '{{ build.Get.inputs[0].destination }}', reboot: 'Skip' } },
        ],
      }],
    });
  });
});
