// Image: golden images and their parents.
export * from './image/os-family';
export * from './image/golden-image-ref';
export * from './image/parent-image';
export * from './image/root-volume';
export { ImageBuildLogging } from './image/build-infrastructure';
export * from './image/golden-image';

// Provisioning: Packer-style provisioners compiled to AWSTOE documents.
export * from './provisioning/step-options';
export * from './provisioning/provisioner';
export { ShellProvisionerOptions, ShellScriptProvisionerOptions } from './provisioning/shell';
export { FileProvisionerOptions } from './provisioning/file-upload';
export { AnsiblePlaybookProvisionerOptions } from './provisioning/ansible-playbook';
export { PowerShellProvisionerOptions, PowerShellScriptProvisionerOptions } from './provisioning/powershell';
export { RebootProvisionerOptions } from './provisioning/reboot';
export { UpdateOsProvisionerOptions } from './provisioning/update-os';
export { AwsManagedComponentOptions, ExistingComponentOptions } from './provisioning/aws-managed';
export { ComponentDocumentOptions } from './provisioning/raw-document';

// Deployment: generations behind a load balancer with a health-gated traffic swap.
export * from './deployment/deployment-image';
export * from './deployment/traffic-shift';
export * from './deployment/capacity';
export * from './deployment/health-check';
export * from './deployment/instance-root-volume';
export * from './deployment/generation-alarms';
export * from './deployment/scaling';
export * from './deployment/access-logs';
export * from './deployment/insufficient-data-policy';
export * from './deployment/immutable-deployment';
