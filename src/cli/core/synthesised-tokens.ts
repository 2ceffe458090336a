/**
 * Stands in for aws-cdk-lib in the command line's bundle (see `.projenrc.ts`). The library's
 * AWSTOE validator asks aws-cdk-lib whether a value is an unresolved token, so that it can skip
 * values known only at deploy time. The command line validates documents read from a synthesised
 * cloud assembly, where CDK has resolved every token (CloudFormation intrinsics are resolved by
 * the command line before parsing): no value is a token, and bundling all of aws-cdk-lib to say
 * so would cost megabytes and a second of start-up.
 */
export const Token = {
  isUnresolved(_value: unknown): boolean {
    return false;
  },
};

export const Tokenization = {
  stringifyNumber(value: number): string {
    return String(value);
  },
};
