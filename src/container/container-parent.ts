import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { IGoldenContainerImage } from './golden-container-image-interface';
import { PackageManager, packageManagerOf } from './package-manager';
import { invalidProp } from '../private/errors';
import { referenceIdentity } from '../private/stable-identity';

/**
 * What a container recipe needs of its parent, once bound to the image.
 */
export interface ContainerParentConfig {
  /** The recipe's ParentImage: a container image reference, or an Image Builder image ARN. */
  readonly parentImage: string;
  /** What identifies the parent at synth time, for the recipe version. */
  readonly identity: string;
  /** How the parent is shown in messages. */
  readonly description: string;
  /** The parent's package manager, where the library can tell. */
  readonly packageManager: PackageManager;
}

/**
 * A reference as Docker parses it: lowercase path components (optionally under a registry
 * host), then a `:tag` or an `@sha256:` digest or both.
 * https://docs.docker.com/reference/cli/docker/image/tag/#description
 */
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = 'sha256:[a-f0-9]{64}';
const HUB_REFERENCE = new RegExp(`^(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ECR_PUBLIC_PREFIX = 'public.ecr.aws/';

/** Image Builder image names: lowercase letters, digits, hyphens and underscores. */
const MANAGED_IMAGE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * The image a GoldenContainerImage starts from (a Dockerfile's `FROM`; Packer docker
 * builder's `image`). Linux images only.
 */
export class ContainerParent {
  /**
   * An image on Docker Hub, by reference with a tag or a digest: `debian:bookworm`,
   * `library/ubuntu:24.04`, `nginx@sha256:...`.
   */
  public static fromDockerHub(reference: string): ContainerParent {
    return new ContainerParent((scope, prop) => {
      const repository = checkReference(scope, prop, reference, 'a Docker Hub reference');
      return { parentImage: reference, identity: `docker-hub:${reference}`, description: reference, packageManager: packageManagerOf(repository) };
    });
  }

  /**
   * An image in Amazon ECR Public, by its full reference: `public.ecr.aws/docker/library/debian:bookworm`.
   */
  public static fromEcrPublic(reference: string): ContainerParent {
    return new ContainerParent((scope, prop) => {
      if (!Token.isUnresolved(reference) && !reference.startsWith(ECR_PUBLIC_PREFIX)) {
        invalidProp(scope, prop, reference, `an Amazon ECR Public reference starts with ${ECR_PUBLIC_PREFIX}`,
          'Give the full reference, e.g. \'public.ecr.aws/docker/library/debian:bookworm\'');
      }
      const repository = checkReference(scope, prop, reference.slice(ECR_PUBLIC_PREFIX.length), 'an Amazon ECR Public reference');
      return { parentImage: reference, identity: `ecr-public:${reference}`, description: reference, packageManager: packageManagerOf(repository) };
    });
  }

  /**
   * An image in an Amazon ECR repository of yours, by tag (or `sha256:` digest). The build
   * instances get pull access to the repository.
   */
  public static fromEcr(repository: ecr.IRepository, tag: string): ContainerParent {
    return new ContainerParent((scope, prop, instanceRole) => {
      if (!Token.isUnresolved(tag) && !new RegExp(`^(?:${TAG}|${DIGEST})$`).test(tag)) {
        invalidProp(scope, `${prop} tag`, tag, 'an image tag is up to 128 letters, digits, \'_\', \'.\' and \'-\' (not starting with \'.\' or \'-\'), or a digest is sha256: and 64 hex digits',
          'Give the tag the image was pushed with, e.g. \'1.4.2\'');
      }
      repository.grantPull(instanceRole);
      const uri = tag.startsWith('sha256:') ? repository.repositoryUriForDigest(tag) : repository.repositoryUriForTag(tag);
      return {
        parentImage: uri,
        identity: `ecr:${referenceIdentity(scope, repository.repositoryArn, repository)}:${tag}`,
        description: `${repository.node.path}:${tag}`,
        packageManager: Token.isUnresolved(repository.repositoryName) ? undefined : packageManagerOf(repository.repositoryName),
      };
    });
  }

  /**
   * A container image AWS publishes in Image Builder (for example `amazon-linux-x86-latest`),
   * by name; each build uses its latest version.
   */
  public static fromManagedImage(name: string): ContainerParent {
    return new ContainerParent((scope, prop) => {
      if (Token.isUnresolved(name) || !MANAGED_IMAGE_NAME.test(name)) {
        invalidProp(scope, prop, name, 'an Image Builder image name is lowercase letters, digits, \'-\' and \'_\', known at synth',
          'Give the name as it appears in the image ARN, e.g. \'amazon-linux-x86-latest\'');
      }
      if (name.startsWith('windows')) {
        invalidProp(scope, prop, name, 'GoldenContainerImage builds Linux containers only', 'Choose a Linux image');
      }
      const stack = Stack.of(scope);
      return {
        parentImage: `arn:${stack.partition}:imagebuilder:${stack.region}:aws:image/${name}/x.x.x`,
        identity: `managed:${name}`,
        description: name,
        packageManager: packageManagerOf(name),
      };
    });
  }

  /**
   * Another golden container image (cascading images): this image starts from its build.
   */
  public static fromGoldenContainerImage(image: IGoldenContainerImage): ContainerParent {
    return new ContainerParent((_scope, _prop, instanceRole) => {
      image.repository.grantPull(instanceRole);
      return {
        parentImage: image.parentImageArn,
        identity: `golden:${image.imageKey}`,
        // The reference the chain starts from tells the package manager.
        description: image.parentReference,
        packageManager: packageManagerOf(image.parentReference),
      };
    });
  }

  private constructor(private readonly binder: (scope: IConstruct, prop: string, instanceRole: iam.IGrantable) => ContainerParentConfig) {}

  /**
   * Binds the parent to an image: checks it (errors name `prop`) and lets `instanceRole` pull it.
   *
   * @internal
   */
  public _bind(scope: IConstruct, prop: string, instanceRole: iam.IGrantable): ContainerParentConfig {
    return this.binder(scope, prop, instanceRole);
  }
}

/** Checks a reference without a registry host; returns its repository path. */
function checkReference(scope: IConstruct, prop: string, reference: string, what: string): string {
  if (Token.isUnresolved(reference)) {
    invalidProp(scope, prop, reference, `${what} is hashed into the recipe version at synth and a token has no stable value`,
      'Give the reference as a plain string');
  }
  const match = HUB_REFERENCE.exec(reference);
  if (!match) {
    invalidProp(scope, prop, reference, `it is not ${what}: Docker takes lowercase path components of letters, digits and '.', '_' or '-' separators, then ':tag' (up to 128 of letters, digits, '_', '.', '-') or '@sha256:<64 hex digits>'`,
      'Give a reference such as \'debian:bookworm\' or \'library/ubuntu:24.04\'');
  }
  if (match[2] === undefined && match[3] === undefined) {
    invalidProp(scope, prop, reference, 'it names no tag or digest, so Docker would pull whatever \'latest\' is on the day of each bake',
      `Add a tag or a digest, e.g. '${reference}:<tag>' or '${reference}@sha256:<digest>'`);
  }
  return match[1];
}
