import * as fc from 'fast-check';
import { isPlainSafe, readsBackPlain } from '../../../src/provisioning/toe/yaml-scalar';

/**
 * The renderer decides most strings without the YAML library (fast paths for ordinary command
 * text). Any verdict that differed from the readers' would change rendered component documents,
 * and with them content hashes and image versions, so the fast paths are checked against the
 * readers on text built from every character YAML treats specially.
 */
describe('plain-scalar verdicts', () => {
  const special = [...' _./=+;()$~^<>,&*!|\'"%@-#:?[]{}`\\'];
  const letters = [...'aeEnNoOyYtTfF'];
  const digits = [...'0179'];
  const char = fc.constantFrom(...special, ...letters, ...digits);
  const anyText = fc.array(char, { maxLength: 14 }).map(cs => cs.join(''));
  const word = fc.oneof(
    fc.constantFrom('yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', 'null', 'Null', 'E0', 'e-1', 'e+5', '1.0', '0700', '1_000', '1:20', '.5', '.inf', '<<', '~', '-', '---', '...'),
    fc.array(char, { minLength: 1, maxLength: 6 }).map(cs => cs.join('')),
  );
  const wordsText = fc.array(word, { minLength: 1, maxLength: 4 }).chain(ws => fc.constantFrom(' ', '  ', ': ', ' #', ',').map(sep => ws.join(sep)));

  test.each([
    ['dnf install -y nginx', true],
    ['for unit in amazon-ssm-agent snap.amazon-ssm-agent.amazon-ssm-agent; do', true],
    ['/usr/bin/env bash -c "echo $HOME" > /tmp/out 2>&1', true],
    ['echo "a: b"', false],
    ['1.0', false],
    ['exit 1', true],
    ['yes', false],
    ['E0', false],
    ['  if true; then exit 0; fi', false],
    ['exit 0 ', false],
  ])('%j: plain %s, as the readers say', (text, plain) => {
    expect(isPlainSafe(text, false)).toBe(plain);
    expect(readsBackPlain(text)).toBe(plain);
  });

  test('every verdict equals the YAML 1.1 and 1.2 readers\' verdict', () => {
    fc.assert(fc.property(fc.oneof(anyText, wordsText), text => {
      // Strings ruled out before the readers are asked (line breaks, tabs, escapes, '{{') stay out.
      if (text === '' || text.includes('{{')) {
        return;
      }
      expect(isPlainSafe(text, false)).toBe(readsBackPlain(text));
    }), { numRuns: 20_000, seed: 20261205 });
  });
});
