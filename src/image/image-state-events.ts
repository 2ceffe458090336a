import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';

/** The source of Image Builder's events. */
export const IMAGE_BUILDER_EVENT_SOURCE = 'aws.imagebuilder';

/**
 * The event pattern of an image's builds reaching `status`: event "EC2 Image Builder Image
 * State Change", sent directly to EventBridge
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-imagebuilder.html), whose
 * `resources` hold the build's ARN and `detail.state.status` its new status (one of ImageState's
 * statuses, https://docs.aws.amazon.com/imagebuilder/latest/APIReference/API_ImageState.html).
 * Build ARNs are image/<recipe name>/<version>/<build>; the slash after the name keeps other
 * recipes whose names start alike out.
 */
export function imageStatePattern(scope: IConstruct, recipeName: string, status: string): events.EventPattern {
  const stack = Stack.of(scope);
  return {
    source: [IMAGE_BUILDER_EVENT_SOURCE],
    detailType: ['EC2 Image Builder Image State Change'],
    resources: events.Match.prefix(`arn:${stack.partition}:imagebuilder:${stack.region}:${stack.account}:image/${recipeName}/`),
    detail: { state: { status: [status] } },
  };
}
