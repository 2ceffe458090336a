/** An image's test and metadata settings, shared by its deploy-time build and its pipelines. */
export interface ImageSettings {
  readonly tests: boolean;
  readonly testTimeoutMinutes?: number;
  readonly enhancedImageMetadata: boolean;
}
