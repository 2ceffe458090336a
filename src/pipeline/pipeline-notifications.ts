import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { checkNotificationTopic } from '../image/image-build-options';
import type { ImageBuildParts } from '../image/image-build-parts';
import { invalidProp } from '../private/errors';

/**
 * Where Image Builder reports each build's outcome (AVAILABLE or FAILED).
 */
export interface PipelineNotificationOptions {
  /**
   * The topic. Image Builder sets notifications on the image's infrastructure configuration,
   * so every build of the image (the deploy-time one too) reports to it. If the topic is
   * encrypted, its KMS key policy must let Image Builder's service-linked role use the key.
   *
   * @default - the image's `notificationTopic`, else a new topic encrypted with a new KMS key
   */
  readonly topic?: sns.ITopic;

  /**
   * E-mail addresses subscribed to the topic (each must confirm the subscription).
   *
   * @default - none
   */
  readonly emails?: string[];
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What the pipeline's notifications set up. */
export interface PipelineNotifications {
  readonly topic: sns.ITopic;
  /** The key of a topic the library created. */
  readonly key?: kms.IKey;
}

/**
 * Gives the image its notification topic (given, the image's own, or created) and subscribes
 * the e-mail addresses.
 */
export function setUpNotifications(scope: Construct, image: ImageBuildParts, options: PipelineNotificationOptions): PipelineNotifications {
  const existing = image.notificationTopic;
  if (options.topic && existing && options.topic !== existing) {
    invalidProp(scope, 'notifications.topic', options.topic.node.path,
      `the image already notifies ${existing.node.path}, and Image Builder takes one topic per infrastructure configuration`,
      'Give the same topic, or leave notifications.topic out to use the image\'s');
  }
  if (options.topic) {
    checkNotificationTopic(scope, 'notifications.topic', options.topic);
  }
  (options.emails ?? []).forEach((email, i) => {
    if (!Token.isUnresolved(email) && !EMAIL.test(email)) {
      invalidProp(scope, `notifications.emails[${i}]`, email, 'it is not an e-mail address', 'Give an address such as ops@example.com');
    }
  });
  let key: kms.IKey | undefined;
  let topic = options.topic ?? existing;
  if (!topic) {
    key = notificationKey(scope);
    topic = new sns.Topic(scope, 'Notifications', {
      displayName: `Image Builder builds of ${image.imageName}`,
      masterKey: key,
      enforceSSL: true,
    });
  }
  if (!existing) {
    image.notifyTo(topic);
  }
  for (const email of options.emails ?? []) {
    topic.addSubscription(new subscriptions.EmailSubscription(email));
  }
  return { topic, key };
}

/**
 * A key for the notification topic that Image Builder's service-linked role may use. The role
 * is named in a condition, not as the principal, because KMS refuses key policies naming a
 * role that does not exist yet, and the service-linked role appears only when the account first
 * uses Image Builder, possibly later in the same deployment.
 */
function notificationKey(scope: Construct): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, 'NotificationsKey', {
    description: 'Encrypts the Image Builder notification topic',
    enableKeyRotation: true,
  });
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'ImageBuilderPublishesNotifications',
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: ['*'],
    conditions: {
      ArnEquals: {
        'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder`,
      },
    },
  }));
  return key;
}
