import type { ReleaseAttributes } from '../../release-contract/release-properties';

/**
 * The request the provider framework hands to onEvent and isComplete: CloudFormation's
 * custom resource request, plus (for isComplete) what onEvent returned.
 */
export interface ReleaseRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** Absent only on a Create's onEvent. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** Update only: the properties before this update. */
  readonly OldResourceProperties?: Record<string, unknown>;
  /**
   * When onEvent ran (ms since the epoch): the moment CloudFormation started waiting for this
   * request. onEvent returns it and the framework passes it through to every isComplete
   * poll. Absent from requests that started before the controller stamped them.
   */
  readonly RequestedAt?: number;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  /** See ReleaseRequest.RequestedAt. */
  readonly RequestedAt?: number;
}

/** isComplete's answer; Data only when complete (the framework rejects it otherwise). */
export type IsCompleteResponse =
  | { readonly IsComplete: false }
  | { readonly IsComplete: true; readonly Data?: ReleaseAttributes };
