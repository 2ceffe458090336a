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
