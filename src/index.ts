// Named exports only: what is listed here is the public API, and nothing else in src/ is.
// Image: golden images and their parents.
export { OsFamily } from './common/os-family';
export type { IGoldenImage } from './common/golden-image-interface';
export { ParentImage } from './image/parent-image';
export type { CustomParentImageOptions, DebianParentImageOptions, ManagedParentImageOptions, ParentImageConfig, ParentImageLookupOptions, UbuntuParentImageOptions, WindowsServerParentImageOptions } from './image/parent-image';
export type { CommonRootVolumeOptions, RootVolumeOptions, DeploymentRootVolumeOptions } from './common/root-volume';
export type { ImageBuildLogging } from './image/build-infrastructure';
export { GoldenImage } from './image/golden-image';
export { DiskFormat, VmExport } from './image/vm-export';
export type { VmExportOptions } from './image/vm-export';
export type { GoldenImageProps } from './image/golden-image';
export type { IDeploymentImage, DeploymentImageConfig } from './common/deployment-image-interface';

// Container images: the same provisioners baked into a container image in ECR.
export { GoldenContainerImage } from './container/golden-container-image';
export type { GoldenContainerImageProps } from './container/golden-container-image';
export { ContainerParent } from './container/container-parent';
export type { IGoldenContainerImage } from './container/golden-container-image-interface';
export type { DockerfileInstructions } from './container/dockerfile-instructions';
export type { ContainerRegionDistribution } from './container/container-distribution';
export type { ImageBuildOptions } from './image/image-build-options';
export type { IPipelineImage } from './common/pipeline-image-interface';

// Provisioning: Packer-style provisioners compiled to AWSTOE documents.
export { StepFailureAction } from './provisioning/step-options';
export type { StepOptions } from './provisioning/step-options';
export { Provisioner } from './provisioning/provisioner';
export type { ShellProvisionerOptions, ShellScriptProvisionerOptions } from './provisioning/shell';
export type { FileProvisionerOptions } from './provisioning/file-upload';
export type { AnsiblePlaybookProvisionerOptions } from './provisioning/ansible-playbook';
export type { ChefSoloProvisionerOptions } from './provisioning/chef-solo';
export type { PuppetApplyProvisionerOptions } from './provisioning/puppet-apply';
export type { PowerShellProvisionerOptions, PowerShellScriptProvisionerOptions } from './provisioning/powershell';
export type { RebootProvisionerOptions } from './provisioning/reboot';
export type { UpdateOsProvisionerOptions } from './provisioning/update-os';
export type { VagrantGuestProvisionerOptions } from './provisioning/vagrant-guest';
export type { AwsManagedComponentOptions } from './provisioning/aws-managed';
export type { ExistingComponentOptions } from './provisioning/existing-component';
export type { ComponentDocumentOptions } from './provisioning/raw-document';

// Deployment: generations behind a load balancer with a health-gated traffic swap.
export { DeploymentImage } from './deployment/deployment-image';
export type { AmiDeploymentImageOptions, MachineImageDeploymentImageOptions } from './deployment/deployment-image';
export { TrafficShift } from './deployment/traffic-shift';
export type { TrafficShiftStepOptions } from './deployment/traffic-shift';
export type { CapacityOptions } from './deployment/capacity';
export type { DeploymentHealthCheckOptions } from './deployment/health-check';
export type { GenerationAlarmOptions } from './deployment/generation-alarms';
export type { DeploymentScalingOptions } from './deployment/scaling';
export type { AccessLogOptions } from './deployment/access-logs';
export type { TestListenerOptions } from './deployment/pre-traffic-verification';
export { InsufficientDataPolicy } from './deployment/insufficient-data-policy';
export type { ImmutableDeploymentProps } from './deployment/immutable-deployment-props';
export { ImmutableDeployment } from './deployment/immutable-deployment';

// Pipeline: rebaking, distribution and retirement.
export { PipelineSchedule, WeekDay, RebuildCondition } from './pipeline/pipeline-schedule';
export type { PipelineCronOptions, DailyScheduleOptions, WeeklyScheduleOptions } from './pipeline/pipeline-schedule';
export { ImagePipeline, VulnerabilitySeverity } from './pipeline/image-pipeline';
export type { ImagePipelineOptions, ImagePipelineProps, VulnerabilityEventOptions } from './pipeline/image-pipeline';
export { ImageRetention, LifecycleThreshold } from './pipeline/image-retirement';
export type { ImageDeletionRule, ImageLifecycleExclusions, ImageLifecycleRule, ImageLifecycleRules } from './pipeline/image-retirement';
export type { FastLaunchOptions, LaunchPermissionOptions, SsmParameterOutputOptions, LaunchTemplateOutputOptions, RegionDistributionOptions } from './image/distribution-options';
export type { DataVolumeOptions } from './image/build-instance';
export type { PipelineNotificationOptions } from './pipeline/pipeline-notifications';
export type { PipelineLogOptions } from './pipeline/pipeline-logging';

// Snapshot testing: templates that change only when what a stack deploys changes.
export { SnapshotTemplate } from './snapshot/snapshot-template';
export type { SnapshotTemplateOptions } from './snapshot/snapshot-template';
export { ImageWorkflow, WorkflowStage } from './workflow/image-workflow';
export type { ManualApprovalOptions, TestStageOptions, WorkflowDocumentOptions } from './workflow/image-workflow';
