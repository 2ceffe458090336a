import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { invalidProp } from './errors';

/**
 * Image Builder's tag maps (AMI tags, the build instances' ResourceTags, lifecycle exclusion
 * tags): keys of 1 to 128 characters matching `^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$`, values of at
 * most 256 (for example AmiDistributionConfiguration amiTags,
 * https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_AmiDistributionConfiguration.html).
 */
const TAG_KEY = /^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]{1,128}$/;
const TAG_VALUE_MAX = 256;

/** What a tag map takes beyond the common rules. */
export interface TagMapLimits {
  /** The most entries the map takes. */
  readonly max: number;
  /** What the map is, for the message when it has too many (e.g. 'AMI tags'). */
  readonly what: string;
  /** Keys the service keeps for itself. */
  readonly reserved?: readonly string[];
}

/** An AMI's tags, in the image's settings and in each region's ("Maximum number of 50 items"). */
export const AMI_TAGS: TagMapLimits = { max: 50, what: 'AMI tags' };

/** Checks a tag map the library passes to Image Builder; tokens pass. */
export function checkImageBuilderTags(scope: IConstruct, prop: string, tags: { [key: string]: string }, limits: TagMapLimits): void {
  for (const [key, value] of Object.entries(tags)) {
    if (Token.isUnresolved(key)) {
      continue;
    }
    if (!TAG_KEY.test(key)) {
      invalidProp(scope, prop, key, 'a tag key is 1 to 128 letters, digits, spaces and _ . : / = + - @, not starting with aws:', 'Give another tag key');
    }
    if (limits.reserved?.includes(key)) {
      invalidProp(scope, prop, key, `Image Builder keeps the keys ${limits.reserved.join(', ')} for itself`, 'Give another tag key');
    }
    if (!Token.isUnresolved(value) && value.length > TAG_VALUE_MAX) {
      invalidProp(scope, `${prop}['${key}']`, value, `a tag value is at most ${TAG_VALUE_MAX} characters`, 'Give a shorter value');
    }
  }
  const count = Object.keys(tags).length;
  if (count > limits.max) {
    invalidProp(scope, prop, `${count} tags`, `Image Builder takes at most ${limits.max} ${limits.what}`, 'Give fewer tags');
  }
}
