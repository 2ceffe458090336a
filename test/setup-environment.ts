/*
 * Runs before every test file (jest `setupFiles`).
 *
 * aws-cdk-lib checks every synthesised template with its bundled CloudFormation validator
 * unless CDK_VALIDATION=false. By default a finding is only a warning on stderr, so in a test
 * it asserts nothing, yet it cost about three quarters of a deployment test's CPU time (24 s
 * against 6 s for test/deployment/alarm-window and validation.test.ts). The tests about
 * validation turn it back on (test/strict-validation.ts); a value set in the environment wins.
 */
process.env.CDK_VALIDATION ??= 'false';
