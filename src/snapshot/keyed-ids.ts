/**
 * A generation's resources have logical ids that hold its key, and CDK suffixes each with a hash
 * of a construct path that holds the key too (`WebGenerationf48121dbGroupASG1D2346CD`). Puts
 * `replacement` for `key` everywhere in `text` and drops those suffixes, so that two generations'
 * resources compare by what they are. Free of aws-cdk-lib: the command line uses it too.
 */
export function withoutKeyedSuffixes(text: string, key: string, replacement: string): string {
  return text
    .replace(new RegExp(`${key}([A-Za-z0-9]*?)[0-9A-F]{8}(?![A-Za-z0-9])`, 'g'), `${replacement}$1`)
    .split(key).join(replacement);
}
