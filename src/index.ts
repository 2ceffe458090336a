// Image: golden images and their parents.
export * from './common/os-family';
export * from './common/golden-image-interface';
export * from './image/parent-image';
export type { CommonRootVolumeOptions, RootVolumeOptions, DeploymentRootVolumeOptions } from './common/root-volume';
export type { ImageBuildLogging } from './image/build-infrastructure';
export * from './image/golden-image';
export type { IDeploymentImage, DeploymentImageConfig } from './common/deployment-image-interface';

// Provisioning: Packer-style provisioners compiled to AWSTOE documents.
export * from './provisioning/step-options';
export * from './provisioning/provisioner';
export type { ShellProvisionerOptions, ShellScriptProvisionerOptions } from './provisioning/shell';
export type { FileProvisionerOptions } from './provisioning/file-upload';
export type { AnsiblePlaybookProvisionerOptions } from './provisioning/ansible-playbook';
export type { PowerShellProvisionerOptions, PowerShellScriptProvisionerOptions } from './provisioning/powershell';
export type { RebootProvisionerOptions } from './provisioning/reboot';
export type { UpdateOsProvisionerOptions } from './provisioning/update-os';
export type { AwsManagedComponentOptions } from './provisioning/aws-managed';
export type { ExistingComponentOptions } from './provisioning/existing-component';
export type { ComponentDocumentOptions } from './provisioning/raw-document';

// Deployment: generations behind a load balancer with a health-gated traffic swap.
export * from './deployment/deployment-image';
export * from './deployment/traffic-shift';
export * from './deployment/capacity';
export * from './deployment/health-check';
export * from './deployment/generation-alarms';
export * from './deployment/scaling';
export * from './deployment/access-logs';
export * from './deployment/insufficient-data-policy';
export * from './deployment/immutable-deployment-props';
export * from './deployment/immutable-deployment';

// Pipeline: rebaking, distribution and retirement.
export { PipelineSchedule, WeekDay, RebuildCondition } from './pipeline/pipeline-schedule';
export type { PipelineCronOptions, DailyScheduleOptions, WeeklyScheduleOptions } from './pipeline/pipeline-schedule';
export { ImagePipeline, VulnerabilitySeverity } from './pipeline/image-pipeline';
export type { ImagePipelineOptions, ImagePipelineProps, VulnerabilityEventOptions } from './pipeline/image-pipeline';
export { ImageRetention } from './pipeline/image-retirement';
export type { LaunchPermissionOptions, SsmParameterOutputOptions, LaunchTemplateOutputOptions, RegionDistributionOptions } from './image/distribution-options';
export type { PipelineNotificationOptions } from './pipeline/pipeline-notifications';
export type { PipelineLogOptions } from './pipeline/pipeline-logging';

// Snapshot testing: templates that change only when what a stack deploys changes.
export * from './snapshot/snapshot-template';
