/**
 * aws-cdk-lib's own CloudFormation validation, strict: `validateAgainstDefaultRules` keeps its
 * errors errors, `strictCfnValidateErrors` fails on warnings too, and under jest a failing
 * report is thrown from `app.synth()`.
 */
export const STRICT_VALIDATION = {
  '@aws-cdk/core:validateAgainstDefaultRules': true,
  '@aws-cdk/core:strictCfnValidateErrors': true,
};

/**
 * Runs the enclosing describe block with aws-cdk-lib's validation at its default (on), whatever
 * CDK_VALIDATION the environment sets, and restores it afterwards.
 */
export function withDefaultValidation(): void {
  const saved = process.env.CDK_VALIDATION;
  beforeAll(() => {
    delete process.env.CDK_VALIDATION;
  });
  afterAll(() => {
    if (saved !== undefined) {
      process.env.CDK_VALIDATION = saved;
    }
  });
  afterEach(() => jest.restoreAllMocks());
}
