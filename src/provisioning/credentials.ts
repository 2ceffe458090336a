/**
 * Detection of AWS credentials and private keys in text that would otherwise be baked into
 * an image or logged by Image Builder (component documents are stored and shown in plain text).
 */

/** One credential found in a text. */
export interface CredentialFinding {
  /** What was found, for the error message. */
  readonly kind: string;
  /** 1-based line of the finding. */
  readonly line: number;
}

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/;
// A 40-character base64 secret next to a name that says it is one.
const SECRET_ACCESS_KEY = /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|secretkey)\s*["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/i;
const BARE_SECRET_NAME = /^(?:aws_?secret_?(?:access_?)?key|secret_?access_?key)$/i;
const SECRET_VALUE = /^[A-Za-z0-9/+]{40}$/;
const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;

/**
 * Finds AWS access key ids, secret access keys and private key blocks in a text.
 */
export function findCredentials(text: string): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (ACCESS_KEY_ID.test(line)) {
      findings.push({ kind: 'an AWS access key id', line: i + 1 });
    }
    if (SECRET_ACCESS_KEY.test(line)) {
      findings.push({ kind: 'an AWS secret access key', line: i + 1 });
    }
    if (PRIVATE_KEY_BLOCK.test(line)) {
      findings.push({ kind: 'a private key block', line: i + 1 });
    }
  });
  return findings;
}

/**
 * Finds a secret access key given as an environment variable (name and value apart).
 */
export function findCredentialInVariable(name: string, value: string): CredentialFinding[] {
  if (BARE_SECRET_NAME.test(name) && SECRET_VALUE.test(value)) {
    return [{ kind: 'an AWS secret access key', line: 1 }];
  }
  return findCredentials(`${name}=${value}`);
}

/** What to use instead, said in every refusal. */
export const CREDENTIALS_FIX = 'Do not bake credentials into images: give the build instance role the permissions it needs, '
  + 'or fetch secrets at build time from AWS Secrets Manager or SSM Parameter Store (SecureString)';
