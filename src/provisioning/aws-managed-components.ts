/*
 * Catalogue of Amazon-managed EC2 Image Builder components: the <name> in
 * `arn:<partition>:imagebuilder:<region>:aws:component/<name>/x.x.x`.
 *
 * Where the names come from (facts only; every description is written for this project):
 * - The bulk: a snapshot of ListComponents(owner=Amazon) in us-east-1 that cdklabs/cdk-proserve-lib
 *   generates into src/constructs/ec2-image-pipeline/index.ts (generator: scripts/generate.ts).
 * - aws/aws-cdk, packages/@aws-cdk/aws-imagebuilder-alpha/lib/amazon-managed-component.ts
 *   (the single-component STIG names `stig-build-linux` and `stig-build-windows`).
 * - The EC2 Image Builder User Guide, STIG components page (the per-level STIG names).
 * - aws-samples/amazon-ec2-image-builder-samples (powershell-lts-windows, windows-activation-test,
 *   reboot-test-windows in recipes AWS publishes).
 * - Entries marked `legacy` appear in several independent public recipes but not in the snapshot
 *   above: AWS has renamed or retired them, and new recipes may be refused.
 *
 * Names are given as they appear in ARNs: lower case, with `_` turned into `-` (the API lists
 * `PuTTY` and `php-8_2-linux`; recipes reference `putty` and `php-8-2-linux`).
 *
 * This is a snapshot. AWS adds and retires components, so a name missing here is a reason to
 * warn and suggest, not proof that the name is wrong.
 */

/** One Amazon-managed component. */
export interface AwsManagedComponentInfo {
  /** The name as used in the component ARN. */
  readonly name: string;
  /** The platform the component runs on. */
  readonly platform: 'Linux' | 'Windows';
  /** What the component does, in one line. */
  readonly description: string;
  /**
   * Seen in public recipes but absent from the latest snapshot of AWS's list: probably renamed
   * or retired.
   */
  readonly legacy?: boolean;
}

function linux(name: string, description: string): AwsManagedComponentInfo {
  return { name, platform: 'Linux', description };
}

function windows(name: string, description: string): AwsManagedComponentInfo {
  return { name, platform: 'Windows', description };
}

function legacy(info: AwsManagedComponentInfo): AwsManagedComponentInfo {
  return { ...info, legacy: true };
}

/** Every Amazon-managed component name this library knows, sorted by name. */
export const AWS_MANAGED_COMPONENTS: ReadonlyArray<AwsManagedComponentInfo> = [
  linux('amazon-cloudwatch-agent-linux', 'Installs the CloudWatch agent (configuring it is up to you).'),
  windows('amazon-cloudwatch-agent-windows', 'Installs the CloudWatch agent (configuring it is up to you).'),
  linux('amazon-corretto-11', 'Installs Amazon Corretto 11 (Amazon Linux).'),
  linux('amazon-corretto-11-apt-generic', 'Installs Amazon Corretto 11 from the apt repository (Debian family).'),
  linux('amazon-corretto-11-headless', 'Installs the headless Amazon Corretto 11 runtime.'),
  linux('amazon-corretto-11-rpm-generic', 'Installs Amazon Corretto 11 from the RPM repository.'),
  windows('amazon-corretto-11-windows', 'Installs Amazon Corretto 11.'),
  linux('amazon-corretto-17-headless', 'Installs the headless Amazon Corretto 17 runtime.'),
  linux('amazon-corretto-17-jdk', 'Installs the Amazon Corretto 17 JDK.'),
  linux('amazon-corretto-17-jre', 'Installs the Amazon Corretto 17 JRE.'),
  windows('amazon-corretto-17-windows', 'Installs Amazon Corretto 17.'),
  linux('amazon-corretto-21-headless', 'Installs the headless Amazon Corretto 21 runtime.'),
  linux('amazon-corretto-21-jdk', 'Installs the Amazon Corretto 21 JDK.'),
  linux('amazon-corretto-21-jre', 'Installs the Amazon Corretto 21 JRE.'),
  windows('amazon-corretto-21-windows', 'Installs Amazon Corretto 21.'),
  linux('amazon-corretto-8-apt-generic', 'Installs Amazon Corretto 8 from the apt repository (Debian family).'),
  linux('amazon-corretto-8-jdk', 'Installs the Amazon Corretto 8 JDK.'),
  linux('amazon-corretto-8-jre', 'Installs the Amazon Corretto 8 JRE.'),
  linux('amazon-corretto-8-rpm-generic', 'Installs Amazon Corretto 8 from the RPM repository.'),
  windows('amazon-corretto-8-windows', 'Installs Amazon Corretto 8.'),
  windows('amazon-kinesis-agent-windows', 'Installs the Amazon Kinesis Agent for Windows.'),
  windows('anaconda-windows', 'Installs Anaconda with machine-learning environments.'),
  linux('apache-tomcat-9-linux', 'Installs Apache Tomcat 9 with a JRE and starts it at boot.'),
  linux('apt-repository-test-linux', 'Test: checks that apt can install packages.'),
  linux('aws-cli-version-2-linux', 'Installs the AWS CLI version 2.'),
  windows('aws-cli-version-2-windows', 'Installs the AWS CLI version 2.'),
  linux('aws-codedeploy-agent-linux', 'Installs the CodeDeploy agent (configuring it is up to you).'),
  windows('aws-codedeploy-agent-windows', 'Installs the CodeDeploy agent (configuring it is up to you).'),
  windows('aws-vss-components-windows', 'Installs the AwsVssComponents Distributor package (needs extra SSM permissions).'),
  windows('chocolatey', 'Installs the Chocolatey package manager.'),
  linux('chrony-time-configuration-test', 'Test: checks that chrony uses the Amazon time servers.'),
  linux('dcv-server-linux', 'Installs and configures the NICE DCV server.'),
  windows('dcv-server-windows', 'Installs and configures the NICE DCV server.'),
  windows('distributor-package-windows', 'Installs an SSM Distributor package (needs extra SSM permissions).'),
  linux('docker-ce-centos', 'Installs Docker CE from Docker\'s repository for CentOS.'),
  linux('docker-ce-linux', 'Installs Docker CE on Amazon Linux and lets ec2-user run it.'),
  linux('docker-ce-ubuntu', 'Installs Docker CE from Docker\'s repository for Ubuntu.'),
  legacy(windows('dotnet-core-runtime-windows', 'Installs the .NET Core runtime; gone from AWS\'s current list (see dotnet-runtime-lts-windows).')),
  legacy(windows('dotnet-core-sdk-windows', 'Installs the .NET Core SDK; gone from AWS\'s current list (see dotnet-sdk-lts-windows).')),
  windows('dotnet-desktop-runtime-lts-windows', 'Installs the current LTS .NET Desktop Runtime.'),
  windows('dotnet-hosting-bundle-lts-windows', 'Installs the current LTS ASP.NET Core Hosting Bundle.'),
  linux('dotnet-runtime-lts-linux', 'Installs the current LTS .NET runtime.'),
  windows('dotnet-runtime-lts-windows', 'Installs the current LTS .NET runtime.'),
  linux('dotnet-sdk-lts-linux', 'Installs the current LTS .NET SDK.'),
  windows('dotnet-sdk-lts-windows', 'Installs the current LTS .NET SDK.'),
  linux('ebs-volume-usage-test-linux', 'Test: creates, attaches and removes an EBS volume (needs EC2 volume permissions).'),
  windows('ebs-volume-usage-test-windows', 'Test: creates, attaches and removes an EBS volume (needs EC2 volume permissions).'),
  windows('ec2-network-route-test-windows', 'Test: checks the routes EC2 needs are in the route table.'),
  windows('ec2launch-v2-windows', 'Installs the latest EC2Launch v2.'),
  windows('ecs-optimized-ami-windows', 'Installs the ECS container agent and its Windows artefacts.'),
  windows('eks-optimized-ami-windows', 'Installs the EKS node artefacts for Windows.'),
  linux('eni-attachment-test-linux', 'Test: creates, attaches and removes an ENI (needs EC2 network permissions).'),
  windows('eni-attachment-test-windows', 'Test: creates, attaches and removes an ENI (needs EC2 network permissions).'),
  linux('go-stable-linux', 'Installs the latest stable Go toolchain.'),
  windows('go-stable-windows', 'Installs the latest stable Go toolchain.'),
  linux('hello-world-linux', 'Prints hello world; a smoke test for recipes.'),
  windows('hello-world-windows', 'Prints hello world; a smoke test for recipes.'),
  linux('inspector-test-linux', 'Test: runs an Amazon Inspector (classic) CIS assessment.'),
  windows('inspector-test-windows', 'Test: runs an Amazon Inspector (classic) CIS assessment.'),
  linux('install-package-from-repository', 'Installs a package from the distribution\'s repositories.'),
  linux('mariadb-linux', 'Installs MariaDB with apt, yum or zypper.'),
  linux('mate-de-linux', 'Installs the MATE desktop with xrdp and TigerVNC.'),
  linux('mono-linux', 'Installs the Mono framework.'),
  linux('php-8-2-linux', 'Installs PHP 8.2.'),
  linux('powershell-lts-linux', 'Installs the current LTS release of PowerShell.'),
  windows('powershell-lts-windows', 'Installs the current LTS release of PowerShell 7.'),
  linux('powershell-snap', 'Installs PowerShell with snap.'),
  legacy(windows('powershell-windows', 'Installs PowerShell 7; gone from AWS\'s current list (see powershell-lts-windows).')),
  linux('powershell-yum', 'Installs PowerShell from Microsoft\'s RPM repository.'),
  windows('putty', 'Installs PuTTY.'),
  linux('python-3-linux', 'Installs Python 3 with apt, yum or zypper.'),
  windows('python-3-windows', 'Installs Python 3.'),
  linux('reboot-linux', 'Reboots the build instance.'),
  linux('reboot-test-linux', 'Test: checks that the instance reboots cleanly.'),
  windows('reboot-test-windows', 'Test: checks that the instance reboots cleanly.'),
  windows('reboot-windows', 'Reboots the build instance.'),
  linux('scap-compliance-checker-linux', 'Installs and runs the DISA SCAP Compliance Checker.'),
  windows('scap-compliance-checker-windows', 'Installs and runs the DISA SCAP Compliance Checker.'),
  linux('simple-boot-test-linux', 'Test: checks that an instance boots from the new image.'),
  windows('simple-boot-test-windows', 'Test: checks that an instance boots from the new image.'),
  linux('stig-build-linux', 'Applies DISA STIG hardening; the level is a component parameter.'),
  linux('stig-build-linux-high', 'Applies high, medium and low severity DISA STIG settings.'),
  linux('stig-build-linux-low', 'Applies low severity DISA STIG settings.'),
  linux('stig-build-linux-medium', 'Applies medium and low severity DISA STIG settings.'),
  windows('stig-build-windows', 'Applies DISA STIG hardening; the level is a component parameter.'),
  windows('stig-build-windows-high', 'Applies high, medium and low severity DISA STIG settings.'),
  windows('stig-build-windows-low', 'Applies low severity DISA STIG settings.'),
  windows('stig-build-windows-medium', 'Applies medium and low severity DISA STIG settings.'),
  linux('update-linux', 'Installs all available OS updates (the UpdateOS action).'),
  linux('update-linux-kernel-5', 'Installs the 5.x kernel from Amazon Linux Extras (Amazon Linux 2).'),
  legacy(linux('update-linux-kernel-mainline', 'Installs a mainline kernel; gone from AWS\'s current list (see update-linux-kernel-ml).')),
  linux('update-linux-kernel-ml', 'Installs the elrepo mainline kernel (CentOS/RHEL).'),
  windows('update-windows', 'Installs the latest Windows updates.'),
  linux('validate-single-ssh-public-key-test-linux', 'Test: checks authorized_keys holds only the key from instance metadata.'),
  linux('validate-ssh-host-key-generation-linux', 'Test: checks the SSH host key was generated at the latest boot.'),
  linux('validate-ssh-public-key-linux', 'Test: checks authorized_keys holds the key from instance metadata.'),
  windows('windows-activation-test', 'Test: checks the Windows licence is activated.'),
  windows('windows-is-ready-with-password-generation-test', 'Test: checks EC2 logs report Windows ready and a generated password.'),
  windows('windows-server-iis', 'Enables the IIS web server and its management tools.'),
  linux('yum-repository-test-linux', 'Test: checks that yum can install packages.'),
];

const BY_NAME: ReadonlyMap<string, AwsManagedComponentInfo> = new Map(AWS_MANAGED_COMPONENTS.map((c) => [c.name, c]));

/** The catalogue entry for an exact ARN name, or undefined when the name is not known here. */
export function findAwsManagedComponent(name: string): AwsManagedComponentInfo | undefined {
  return BY_NAME.get(name);
}

/**
 * The known names closest to `name`, best first, for "did you mean" messages. Case and `_`
 * versus `-` are ignored; a name that contains the input (or is contained by it) counts as close
 * even when many characters differ, so `cloudwatch-agent-linux` finds
 * `amazon-cloudwatch-agent-linux`.
 *
 * @param name what the user wrote
 * @param max how many suggestions at most (default 3)
 * @param platform only suggest components for this platform
 */
export function suggestAwsManagedComponents(name: string, max: number = 3, platform?: 'Linux' | 'Windows'): string[] {
  const wanted = normaliseComponentName(name);
  if (wanted.length === 0 || max <= 0) {
    return [];
  }
  // Short inputs get a small budget so that every three-letter typo does not match everything.
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  const scored: Array<{ name: string; distance: number }> = [];
  for (const candidate of AWS_MANAGED_COMPONENTS) {
    if (platform !== undefined && candidate.platform !== platform) {
      continue;
    }
    const distance = editDistance(wanted, candidate.name);
    if (distance <= budget || containsEitherWay(wanted, candidate.name)) {
      scored.push({ name: candidate.name, distance });
    }
  }
  scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  return scored.slice(0, Math.floor(max)).map((s) => s.name);
}

function normaliseComponentName(name: string): string {
  return name.trim().toLowerCase().replace(/[_\s]+/g, '-');
}

function containsEitherWay(a: string, b: string): boolean {
  // Below four characters a fragment matches too much of the catalogue to be a useful hint.
  return a.length >= 4 && (b.includes(a) || (b.length >= 4 && a.includes(b)));
}

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  if (a.length === 0) {
    return b.length;
  }
  if (b.length === 0) {
    return a.length;
  }
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}
