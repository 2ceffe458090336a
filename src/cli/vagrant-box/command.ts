import { Command, Option } from 'commander';
import { BOX_NETWORKS, BOX_PROVIDERS } from './box-vagrantfile';
import { FIRMWARES, GUEST_OSES } from './machine-settings';
import type { VagrantBoxOptions } from './vagrant-box';
import { CliCommand } from '../core/program';
import { collectRepeated } from '../core/repeatable-option';

const HELP_AFTER = `
Makes a Vagrant box (.box: tar + gzip, the same bytes for the same inputs) from a golden image:
  aws             metadata.json and a Vagrantfile mapping regions to AMI ids (vagrant-aws)
  virtualbox      box.ovf (OVF 1.0), the VMDK, metadata.json, a Vagrantfile with the base MAC
  vmware_desktop  box.vmx, the VMDK, metadata.json (VMware Workstation/Fusion)
or, with --ovf and no provider, an OVF package (.ovf + disk + .mf of SHA-256 digests) as a folder,
or one .ova when --out ends in .ova. The box's SHA-256 is printed for box_download_checksum.
The output is written under a temporary name and renamed when complete: an error or Ctrl-C
leaves nothing half-written. --from-s3 downloads to <key name>.part and resumes it when run again.

Exit codes: 0 written; 2 bad input (not a VMDK, a region without an AMI, --out exists without
--force, an S3 object or SSM parameter that cannot be read): nothing was written.

Examples:
  npx cdk-immutable-infra vagrant-box --provider virtualbox --vmdk web.vmdk --out web.box
  npx cdk-immutable-infra vagrant-box --provider vmware_desktop --from-s3 s3://images/web/export-ami-0123.vmdk --out web-vmware.box
  npx cdk-immutable-infra vagrant-box --provider aws --from-ssm /golden/web/latest --regions eu-west-1,us-east-1 --out web-aws.box
  npx cdk-immutable-infra vagrant-box --provider aws --ami eu-west-1=ami-0123456789abcdef0 --out web-aws.box
  npx cdk-immutable-infra vagrant-box --ovf --vmdk web.vmdk --out web.ova
`;

/** `cdk-immutable-infra vagrant-box`. */
export const vagrantBoxCommand: CliCommand = {
  register(program: Command, context, run) {
    program.command('vagrant-box')
      .summary('make a Vagrant box (aws, virtualbox, vmware_desktop) or an OVF package from a golden image')
      .description('Package a golden image for Vagrant: AMI ids for vagrant-aws, or an exported VMDK for VirtualBox and VMware.')
      .addOption(new Option('--provider <provider>', 'the Vagrant provider the box is for').choices(BOX_PROVIDERS))
      .option('--ovf', 'write an OVF package (folder, or .ova) instead of a box')
      .option('--vmdk <file>', 'the disk (virtualbox, vmware_desktop, --ovf)')
      .option('--from-s3 <url>', 'download the disk from s3://bucket/key first (the image\'s VM export)')
      .option('--download-to <file>', 'where --from-s3 saves the disk (default: the key\'s file name)')
      .option('--ami <region=ami-id>', 'an AMI for a region (aws; repeatable)', collectRepeated)
      .option('--outputs-file <file>', 'AMI ids from `cdk deploy --outputs-file` (aws)')
      .option('--app <dir>', 'the cloud assembly giving each stack\'s region, with --outputs-file', 'cdk.out')
      .option('--output-key <key>', 'the stack output holding the AMI id, with --outputs-file')
      .option('--from-ssm <parameter>', 'AMI ids from this SSM parameter in each of --regions (aws)')
      .option('--regions <list>', 'comma-separated regions the box must have an AMI for')
      .option('--name <name>', 'the machine\'s name in the OVF/VMX (default: the --out file name)')
      .option('--cpus <n>', 'virtual CPUs', '2')
      .option('--memory <MiB>', 'memory in MiB', '2048')
      .addOption(new Option('--firmware <firmware>', 'the firmware the image boots with').choices(FIRMWARES).default('bios'))
      .addOption(new Option('--os <os>', 'the guest operating system').choices(Object.keys(GUEST_OSES)).default('debian'))
      .addOption(new Option('--network <mode>', 'the network the box\'s Vagrantfile configures').choices(BOX_NETWORKS).default('nat'))
      .requiredOption('--out <path>', 'the .box to write (or, with --ovf, a folder or a .ova)')
      .option('--force', 'replace --out if it exists')
      .option('--json', 'print the result as JSON on standard output')
      .addHelpText('after', HELP_AFTER)
      .action(async (flags: Partial<VagrantBoxOptions>) => run(async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { vagrantBox } = require('./vagrant-box') as typeof import('./vagrant-box');
        const options: VagrantBoxOptions = {
          ...flags as VagrantBoxOptions,
          ami: flags.ami ?? [],
          ovf: Boolean(flags.ovf),
          force: Boolean(flags.force),
          json: Boolean(flags.json),
        };
        return vagrantBox(options, context);
      }));
  },
};
