import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliContext, runCli } from '../../../src/cli/core/program';
import { importPackerCommand } from '../../../src/cli/import-packer/command';
import { scanHcl } from '../../../src/cli/import-packer/hcl-block-scanner';
import { importTemplate, ImportResult } from '../../../src/cli/import-packer/import-packer';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-packer-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false } as unknown as CliContext['stderr'],
    env,
    cwd: dir,
  };
  const code = await runCli(['import-packer', ...args], context, [importPackerCommand]);
  return { code, stdout, stderr };
}

function imp(file: string, options: { vars?: string[]; varFiles?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ImportResult> {
  return importTemplate(file, { vars: options.vars ?? [], varFiles: options.varFiles ?? [], env: options.env ?? {} }, path.join(dir, 'out.ts'));
}

const SOURCE = `
source "amazon-ebs" "web" {
  source_ami    = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  ami_name      = "web-{{timestamp}}"
  ssh_username  = "ubuntu"
}
`;

describe('order recovery', () => {
  test('provisioners of different types keep the template order (hcl2json groups them by type)', async () => {
    write('site/index.html', 'hi');
    const file = write('t.pkr.hcl', `${SOURCE}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" { inline = ["echo one"] }
  provisioner "file" {
    source      = "site/"
    destination = "/var/www"
  }
  provisioner "shell" {
    inline = [<<EOT
echo 'provisioner "file" {' 
EOT
    ]
  }
  # provisioner "breakpoint" {}
  provisioner "shell" { inline = ["echo three \${"}"}"] }
}
`);
    const result = await imp(file);
    expect(result.template.images[0].provisioners.map(p => p.type)).toEqual(['shell', 'file', 'shell', 'shell']);
    const code = result.code;
    const positions = ['echo one', 'Provisioner.file', 'provisioner \\"file\\" {', 'echo three'].map(s => code.indexOf(s));
    expect(positions.every(p => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('the scanner skips strings, heredocs and comments and records lines', () => {
    const items = scanHcl([
      'build {', // 1
      '  name = "x { y"', // 2
      '  /* provisioner "nope" {} */', // 3
      '  provisioner "shell" {', // 4
      '    inline = [<<-EOF', // 5
      '      provisioner "fake" {', // 6
      '      EOF', // 7
      '    ]', // 8
      '  }', // 9
      '  // provisioner "nope2" {}', // 10
      '  provisioner "file" { source = "a}" }', // 11
      '}',
    ].join('\n'));
    const blocks = items.filter(i => i.kind === 'block').map(i => `${i.name}:${i.labels.join(',')}@${i.line}`);
    expect(blocks).toEqual(['build:@1', 'provisioner:shell@4', 'provisioner:file@11']);
    expect(items.find(i => i.name === 'inline')?.line).toBe(5);
  });
});

describe('HCL2 in JSON syntax (.pkr.json)', () => {
  const HCL = `
variable "size" {
  type    = string
  default = "t3.small"
}
locals { name = "web-\${var.size}" }
source "amazon-ebs" "web" {
  source_ami    = "ami-0123456789abcdef0"
  instance_type = var.size
  ami_name      = "\${local.name}-{{timestamp}}"
  metadata_options {
    http_tokens = "required"
  }
}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" { inline = ["echo one"] }
  provisioner "file" {
    source      = "site/"
    destination = "/var/www"
  }
  provisioner "shell" {
    environment_vars = ["SIZE=\${var.size}"]
    inline           = ["echo three"]
  }
}
`;
  const JSON_SYNTAX = {
    variable: { size: { type: 'string', default: 't3.small' } },
    locals: { name: 'web-${var.size}' },
    source: {
      'amazon-ebs': {
        web: {
          source_ami: 'ami-0123456789abcdef0',
          instance_type: '${var.size}',
          ami_name: '${local.name}-{{timestamp}}',
          metadata_options: { http_tokens: 'required' },
        },
      },
    },
    build: {
      'sources': ['source.amazon-ebs.web'],
      '//': 'an array keeps provisioners of different types in order',
      'provisioner': [
        { shell: { inline: ['echo one'] } },
        { file: { source: 'site/', destination: '/var/www' } },
        { shell: { environment_vars: ['SIZE=${var.size}'], inline: ['echo three'] } },
      ],
    },
  };

  /** The code without the comments that name the template file and line. */
  const withoutFileNames = (code: string) => code.replace(/t\.pkr\.(hcl|json)(:\d+)?/g, 'TEMPLATE');

  test('a .pkr.json twin imports to the same code as the .pkr.hcl', async () => {
    write('site/index.html', 'hi');
    const fromHcl = await imp(write('t.pkr.hcl', HCL));
    const fromJson = await imp(write('t.pkr.json', JSON.stringify(JSON_SYNTAX, null, 2)));
    expect(fromJson.template.images[0].provisioners.map(p => p.type)).toEqual(['shell', 'file', 'shell']);
    expect(fromJson.code).toMatch(/SIZE\W+t3\.small/);
    expect(withoutFileNames(fromJson.code)).toEqual(withoutFileNames(fromHcl.code));
    expect(fromJson.entries.map(e => [e.item, e.status])).toEqual(fromHcl.entries.map(e => [e.item, e.status]));
  });

  test('interleaved provisioner types keep their order, with the lines of the JSON document', async () => {
    const text = [
      '{', // 1
      '  "source": { "amazon-ebs": { "web": { "source_ami": "ami-0123456789abcdef0", "ami_name": "web" } } },', // 2
      '  "build": [', // 3
      '    {', // 4
      '      "sources": ["source.amazon-ebs.web"],', // 5
      '      "provisioner": [', // 6
      '        { "shell": { "inline": ["echo 1"] } },', // 7
      '        { "breakpoint": { "note": "x" } },', // 8
      '        { "shell": { "inline": ["echo 2"] } },', // 9
      '        { "file": {', // 10
      '          "source": "hello.txt",', // 11
      '          "destination": "/tmp/hello" } }', // 12
      '      ]', // 13
      '    }', // 14
      '  ]', // 15
      '}',
    ].join('\n');
    write('hello.txt', 'hello');
    const result = await imp(write('t.pkr.json', text));
    const steps = result.template.images[0].provisioners;
    expect(steps.map(p => `${p.type}@${p.line}`)).toEqual(['shell@7', 'breakpoint@8', 'shell@9', 'file@10']);
    expect(steps[3].lines).toEqual({ source: 11, destination: 12 });
    expect(result.template.images[0].source.line).toBe(2);
    const unsupported = result.entries.find(e => e.item.includes('breakpoint'));
    expect(unsupported).toMatchObject({ line: 8 });
    const positions = ['echo 1', 'echo 2', '/tmp/hello'].map(s => result.code.indexOf(s));
    expect(positions.every(p => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('a folder may mix .pkr.hcl and .pkr.json files', async () => {
    write('mixed/source.pkr.hcl', SOURCE);
    write('mixed/build.pkr.json', JSON.stringify({ build: { sources: ['source.amazon-ebs.web'], provisioner: { shell: { inline: ['echo mixed'] } } } }));
    const result = await imp(path.join(dir, 'mixed'));
    expect(result.template.images.map(i => i.source.name)).toEqual(['amazon-ebs.web']);
    expect(result.template.images[0].provisioners[0].file).toBe(path.join(dir, 'mixed', 'build.pkr.json'));
    expect(result.code).toContain('echo mixed');
  });

  test.each([
    ['a missing comma', '{\n  "build": {\n    "sources": ["source.amazon-ebs.web"]\n    "provisioner": {}\n  }\n}', 't.pkr.json:4:5', "expected '}', found '\"'"],
    ['a trailing comma', '{\n  "build": {},\n}', 't.pkr.json:3:1', 'expected a property name in quotes'],
    ['a block that is not an object', '{\n  "source": { "amazon-ebs": { "web": "ami-1" } }\n}', 't.pkr.json:2:38', 'source "amazon-ebs" "web": a block is a JSON object'],
    ['a template that is not an object', '[]', 't.pkr.json:1:1', 'a .pkr.json template is one JSON object'],
  ])('malformed .pkr.json (%s): file:line:column, exit code 2, nothing written', async (_what, text, where, message) => {
    write('t.pkr.json', text);
    const r = await run(['t.pkr.json', '--out', 'out.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${where}: ${message}`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'out.ts'))).toBe(false);
  });
});

describe('HCL2 evaluation', () => {
  test('variables, locals, functions and source.name', async () => {
    write('files/app.conf.tpl', 'port=${port}');
    const file = write('t.pkr.hcl', `
variable "prefix" {
  type    = string
  default = "Base"
}
variable "extra_tags" {
  type    = map(string)
  default = { team = "ops" }
}
locals {
  stamp   = regex_replace(timestamp(), "[- TZ:]", "")
  name    = "\${lower(var.prefix)}-\${local.stamp}"
  parts   = split(",", "a,b")
  joined  = join("+", concat(local.parts, ["c"]))
  picked  = try(var.extra_tags.missing, coalesce("", "fallback"))
  rendered = templatefile("\${path.root}/files/app.conf.tpl", { port = 8080 })
  upper   = upper(replace("a-b", "-", "_"))
}
source "amazon-ebs" "web" {
  source_ami    = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  ami_name      = local.name
  tags          = merge({ Name = local.joined, Pick = local.picked }, var.extra_tags)
}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" {
    inline = ["echo \${source.name} \${local.rendered} \${local.upper} \${formatdate("YYYY", timestamp())}"]
  }
}
`);
    const result = await imp(file);
    const code = result.code;
    expect(code).toContain('amiName: "base-{{ imagebuilder:buildDate }}"');
    expect(code).toContain('"Name": "a+b+c"');
    expect(code).toContain('"Pick": "fallback"');
    expect(code).toContain('"team": "ops"');
    expect(code).toContain('"echo web port=8080 A_B $(date -u +%Y%m%d%H%M%S)"');
  });

  test('dynamic blocks expand and build-level source blocks override fields', async () => {
    const file = write('t.pkr.hcl', `
variable "disks" {
  default = [{ size = 30, type = "gp3" }]
}
source "amazon-ebs" "base" {
  source_ami    = "ami-0123456789abcdef0"
  instance_type = "t3.small"
  ami_name      = "base-{{timestamp}}"
  dynamic "launch_block_device_mappings" {
    for_each = var.disks
    content {
      device_name = "/dev/xvda"
      volume_size = launch_block_device_mappings.value.size
      volume_type = try(launch_block_device_mappings.value.type, "gp2")
    }
  }
}
build {
  source "amazon-ebs.base" {
    name          = "big"
    instance_type = "m5.large"
  }
  provisioner "shell" {
    only   = ["amazon-ebs.big"]
    inline = ["echo big"]
  }
  provisioner "shell" {
    except = ["amazon-ebs.big"]
    inline = ["echo never"]
  }
}
`);
    const result = await imp(file);
    expect(result.template.images.map(i => i.source.name)).toEqual(['amazon-ebs.big']);
    expect(result.code).toContain('new InstanceType("m5.large")');
    expect(result.code).toContain('rootVolume: { sizeGiB: 30, volumeType: EbsDeviceVolumeType.GP3, deviceName: "/dev/xvda" }');
    expect(result.code).toContain('echo big');
    expect(result.code).not.toContain('echo never');
  });

  test('data sources become parent images', async () => {
    const file = write('t.pkr.hcl', `
data "amazon-parameterstore" "al" {
  name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}
data "amazon-ami" "ubuntu" {
  filters = { name = "ubuntu/images/*jammy*", root-device-type = "ebs" }
  owners      = ["099720109477"]
  most_recent = true
}
source "amazon-ebs" "a" {
  source_ami = data.amazon-parameterstore.al.value
  ami_name   = "a-{{timestamp}}"
}
source "amazon-ebs" "b" {
  source_ami = data.amazon-ami.ubuntu.id
  ami_name   = "b-{{timestamp}}"
}
build {
  sources = ["source.amazon-ebs.a", "source.amazon-ebs.b"]
  provisioner "shell" { inline = ["true"] }
}
`);
    const code = (await imp(file)).code;
    expect(code).toContain('ParentImage.fromSsmParameter("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")');
    expect(code).toContain('ParentImage.lookup({ name: "ubuntu/images/*jammy*", owners: ["099720109477"], filters: { "root-device-type": ["ebs"] } })');
  });
});

describe('variable precedence', () => {
  const template = `
variable "v" {
  type    = string
  default = "default"
}
${SOURCE}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" { inline = ["echo value=\${var.v}"] }
}
`;
  test.each([
    [{}, [], [], 'default'],
    [{ PKR_VAR_v: 'env' }, [], [], 'env'],
    [{ PKR_VAR_v: 'env' }, ['a.auto.pkrvars.hcl'], [], 'auto'],
    [{ PKR_VAR_v: 'env' }, ['a.auto.pkrvars.hcl', 'one.pkrvars.hcl'], [], 'one'],
    [{}, ['one.pkrvars.hcl', 'two.json'], [], 'two'],
    [{}, ['one.pkrvars.hcl', 'two.json'], ['v=flag', 'v=last-flag'], 'last-flag'],
  ])('env %j, files %j, --var %j gives %s', async (env, files, vars, expected) => {
    const file = write('t.pkr.hcl', template);
    if (files.includes('a.auto.pkrvars.hcl')) write('a.auto.pkrvars.hcl', 'v = "auto"\n');
    write('one.pkrvars.hcl', 'v = "one"\n');
    write('two.json', '{"v": "two"}');
    const varFiles = (files as string[]).filter(f => !f.includes('auto')).map(f => path.join(dir, f));
    const result = await imp(file, { env, varFiles, vars: vars as string[] });
    expect(result.code).toContain(`"echo value=${expected}"`);
  });

  test('JSON templates: user, env, template functions and var-files', async () => {
    const file = write('t.json', JSON.stringify({
      'variables': { region: 'us-east-1', home: '{{env `HOME_DIR`}}', secret: 'hunter2-secret' },
      'sensitive-variables': ['secret'],
      'builders': [{
        type: 'amazon-ebs',
        name: 'my-builder',
        source_ami: 'ami-0123456789abcdef0',
        instance_type: 't3.micro',
        ami_name: 'x {{isotime | clean_resource_name}} {{uuid}}',
        region: '{{user `region`}}',
      }],
      'provisioners': [{
        type: 'shell',
        environment_vars: ['HOME_DIR={{user `home`}}', 'PASSWORD={{user `secret`}}', 'BUILD={{build_name}}'],
        inline: ['echo {{template_dir}}', 'echo {{ .Vars }}'],
      }],
    }));
    write('vars.json', '{"region": "eu-west-1"}');
    const result = await imp(file, { env: { HOME_DIR: '/home/x' }, varFiles: [path.join(dir, 'vars.json')] });
    expect(result.code).toContain('amiName: "x {{ imagebuilder:buildDate }} {{ imagebuilder:buildVersion }}"');
    expect(result.code).toContain('"HOME_DIR": "/home/x"');
    expect(result.code).toContain('"BUILD": "my-builder"');
    expect(result.code).toContain(`"echo ${dir}"`);
    expect(result.code).not.toContain('hunter2-secret');
    expect(result.code).toContain('aws ssm get-parameter --with-decryption --name /packer/secret');
    expect(result.entries.find(e => e.item === 'region')?.message).toContain('stack\'s region');
  });
});

describe('shared AMIs', () => {
  test('an AMI the template shares stays unencrypted, as Packer builds it, unless it names a key: EC2 shares none encrypted with the default EBS key', async () => {
    const BUILD = '\nbuild {\n  sources = ["source.amazon-ebs.web"]\n}\n';
    const shared = write('shared.pkr.hcl', SOURCE.replace('ssh_username  = "ubuntu"', 'ssh_username  = "ubuntu"\n  ami_users     = ["210987654321"]') + BUILD);
    const result = await imp(shared);
    expect(result.code).toContain('rootVolume: { encrypted: false }');
    expect(result.entries.find(e => e.item === 'encrypt_boot')).toMatchObject({ status: 'approximate', message: expect.stringContaining('cannot be') });
    const keyed = write('keyed.pkr.hcl', SOURCE.replace('ssh_username  = "ubuntu"',
      'ssh_username  = "ubuntu"\n  ami_users     = ["210987654321"]\n  kms_key_id    = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"') + BUILD);
    const withKey = await imp(keyed);
    expect(withKey.code).not.toContain('encrypted: false');
    expect(withKey.code).toContain('kmsKey:');
  });
});

describe('credentials are refused', () => {
  test('access keys in a source, a variable default or a var-file never reach the code', async () => {
    const file = write('t.pkr.hcl', `
variable "access_key" {
  default = "AKIAABCDEFGHIJKLMNOP"
}
variable "secret_key" {
  type = string
}
source "amazon-ebs" "web" {
  source_ami    = "ami-0123456789abcdef0"
  ami_name      = "web-{{timestamp}}"
  access_key    = var.access_key
  secret_key    = var.secret_key
  token         = "inline-session-token-value"
}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" { inline = ["echo \${var.access_key}"] }
}
`);
    write('creds.pkrvars.hcl', 'secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n');
    const result = await imp(file, { varFiles: [path.join(dir, 'creds.pkrvars.hcl')] });
    expect(result.code).not.toMatch(/AKIAABCDEFGHIJKLMNOP|wJalrXUtnFEMI|inline-session-token-value/);
    for (const key of ['access_key', 'secret_key', 'token']) {
      const entry = result.entries.find(e => e.kind === 'builder' && e.item === key);
      expect(entry?.status).toBe('unsupported');
      expect(entry?.message).toContain('rotate');
      expect(entry?.line).toBeGreaterThan(1);
    }
    expect(result.entries.filter(e => e.kind === 'variable').map(e => e.item).sort()).toEqual(['access_key', 'secret_key']);
  });
});

describe('unsupported features are reported with file and line and left as comments', () => {
  test('communicator, spot, breakpoint, shell-local, post-processors', async () => {
    const file = write('t.pkr.hcl', `
source "amazon-ebs" "web" {
  source_ami   = "ami-0123456789abcdef0"
  ami_name     = "web-{{timestamp}}"
  ssh_username = "ubuntu"
  ssh_timeout  = "10m"
  ssh_pty      = true
  spot_price   = "auto"
}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "shell" { inline = ["true"] }
  provisioner "breakpoint" {}
  provisioner "shell-local" { inline = ["echo local"] }
  provisioner "file" {
    source      = "/var/log/x"
    destination = "x"
    direction   = "download"
  }
  post-processor "manifest" {}
  post-processor "vagrant" {}
}
`);
    const result = await imp(file);
    const find = (item: string) => result.entries.find(e => e.item === item);
    expect(find('ssh_pty')).toMatchObject({ status: 'unsupported', line: 7 });
    expect(find('spot_price')).toMatchObject({ status: 'unsupported', line: 8 });
    expect(find('breakpoint')).toMatchObject({ status: 'unsupported', line: 13 });
    expect(find('shell-local')).toMatchObject({ status: 'unsupported', line: 14 });
    expect(find('file')).toMatchObject({ status: 'unsupported', line: 15 });
    expect(find('manifest')).toMatchObject({ status: 'mapped', line: 20 });
    expect(find('vagrant')).toMatchObject({ status: 'unsupported', line: 21 });
    expect(result.code).toContain('// NOT MAPPED: provisioner breakpoint (t.pkr.hcl:13)');
    expect(result.code).toContain('// NOT MAPPED: builder spot_price (t.pkr.hcl:8)');
    expect(result.code).toContain('new CfnOutput(this, "WebImageId"');
  });
});

describe('bad input: one line with file and line, exit code 2, nothing written', () => {
  test('a malformed HCL file', async () => {
    write('bad.pkr.hcl', 'source "amazon-ebs" "x" {\n  ami_name = \n}\n');
    const { code, stderr } = await run(['bad.pkr.hcl', '--out', 'out.ts']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cdk-immutable-infra: .*bad\.pkr\.hcl:2:\d+: Invalid expression/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, 'out.ts'))).toBe(false);
  });

  test('malformed JSON', async () => {
    write('bad.json', '{\n  "builders": [\n    {"type": "amazon-ebs",}\n  ]\n}\n');
    const { code, stderr } = await run(['bad.json', '--out', 'out.ts']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.json:3:\d+: invalid JSON/);
    expect(fs.existsSync(path.join(dir, 'out.ts'))).toBe(false);
  });

  test('an unknown variable (in the template and in --var)', async () => {
    write('t.pkr.hcl', `${SOURCE.replace('"t3.small"', 'var.size')}\nbuild {\n  sources = ["source.amazon-ebs.web"]\n}\n`);
    let r = await run(['t.pkr.hcl', '--out', 'out.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/t\.pkr\.hcl:2: unknown variable var\.size/);
    write('u.pkr.hcl', `${SOURCE}\nbuild {\n  sources = ["source.amazon-ebs.web"]\n}\n`);
    r = await run(['u.pkr.hcl', '--var', 'nope=1', '--out', 'out.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope is not a variable of the template');
    expect(fs.existsSync(path.join(dir, 'out.ts'))).toBe(false);
  });

  test('a var-file of the wrong format', async () => {
    write('t.json', JSON.stringify({ builders: [{ type: 'amazon-ebs', source_ami: 'ami-0123456789abcdef0' }] }));
    write('v.pkrvars.hcl', 'a = "b"\n');
    write('v.txt', 'a=b\n');
    write('broken.json', '{"a": }');
    for (const [varFile, message] of [['v.pkrvars.hcl', 'takes JSON var-files only'], ['v.txt', 'not a var-file'], ['broken.json', 'broken.json:1:']]) {
      const r = await run(['t.json', '--var-file', varFile, '--out', 'out.ts']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(fs.existsSync(path.join(dir, 'out.ts'))).toBe(false);
  });

  test('a folder with no template', async () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    const r = await run(['empty', '--out', 'out.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no .pkr.hcl or .pkr.json file in this folder');
  });
});

describe('the command', () => {
  test('writes the file and prints the report; --json is machine-readable', async () => {
    write('t.pkr.hcl', `${SOURCE}\nbuild {\n  sources = ["source.amazon-ebs.web"]\n  provisioner "shell" { inline = ["true"] }\n}\n`);
    const text = await run(['t.pkr.hcl']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('provisioners: 1 mapped, 0 approximate, 0 unsupported');
    expect(fs.readFileSync(path.join(dir, 't-images.ts'), 'utf8')).toContain('export class TImages extends Construct');
    const json = await run(['t.pkr.hcl', '--json', '--out', 'gen/web.ts']);
    const report = JSON.parse(json.stdout);
    expect(report.counts.provisioner).toEqual({ mapped: 1, approximate: 0, unsupported: 1 - 1 });
    expect(report.out).toBe(path.join('gen', 'web.ts'));
    expect(report.entries.find((e: { item: string }) => e.item === 'ssh_username').status).toBe('mapped');
  });
});

describe('network, role and source selection', () => {
  const template = `
variable "db_password" {
  type      = string
  default   = "s3cr3t-value"
  sensitive = true
}
source "amazon-ebs" "web" {
  source_ami           = "ami-0123456789abcdef0"
  ami_name             = "web-{{timestamp}}"
  vpc_id               = "vpc-0abc"
  subnet_id            = "subnet-0abc"
  security_group_ids   = ["sg-01", "sg-02"]
  iam_instance_profile = "packer-build"
}
source "amazon-ebs" "worker" {
  source_ami = "ami-0123456789abcdef0"
  ami_name   = "worker-{{timestamp}}"
  subnet_id  = "subnet-0def"
}
build {
  sources = ["source.amazon-ebs.web", "source.amazon-ebs.worker"]
  provisioner "shell" { inline = ["echo \${var.db_password} | app-setup"] }
}
`;

  test('vpc_id, subnet_id, security groups and the instance profile become GoldenImage props', async () => {
    const result = await imp(write('t.pkr.hcl', template));
    expect(result.code).toContain('vpc: Vpc.fromLookup(this, "WebVpc", { vpcId: "vpc-0abc" })');
    expect(result.code).toContain('subnetSelection: { subnets: [Subnet.fromSubnetId(this, "WebSubnet", "subnet-0abc")] }');
    expect(result.code).toContain('SecurityGroup.fromSecurityGroupId(this, "WebSecurityGroup1", "sg-02")');
    expect(result.code).toContain('role: Role.fromRoleName(this, "WebBuildRole", "packer-build")');
    // Without vpc_id the subnet's VPC is unknown: reported, not guessed.
    expect(result.entries.find(e => e.image === 'amazon-ebs.worker' && e.item === 'subnet_id')).toMatchObject({ status: 'unsupported', line: 18 });
    // A sensitive value in a command is read on the instance, never written.
    expect(result.code).not.toContain('s3cr3t-value');
    expect(result.code).toContain('aws ssm get-parameter --with-decryption --name /packer/db_password');
  });

  test('--only imports the named sources', async () => {
    write('t.pkr.hcl', template);
    const r = await run(['t.pkr.hcl', '--only', 'worker', '--out', 'w.ts']);
    expect(r.code).toBe(0);
    const code = fs.readFileSync(path.join(dir, 'w.ts'), 'utf8');
    expect(code).toContain('new GoldenImage(this, "Worker"');
    expect(code).not.toContain('"Web"');
    const bad = await run(['t.pkr.hcl', '--only', 'nope', '--out', 'n.ts']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no source of');
    expect(fs.existsSync(path.join(dir, 'n.ts'))).toBe(false);
  });
});

describe('configuration management', () => {
  test('chef-solo maps to Provisioner.chefSolo and puppet-masterless to Provisioner.puppetApply', async () => {
    const file = write('t.pkr.hcl', `${SOURCE}
build {
  sources = ["source.amazon-ebs.web"]
  provisioner "chef-solo" {
    cookbook_paths = ["cookbooks"]
    run_list       = ["recipe[web]"]
    json           = { web = { owner = "ops" } }
    version        = "18.8.11"
    prevent_sudo   = true
    roles_path     = "roles"
  }
  provisioner "puppet-masterless" {
    module_paths      = ["puppet"]
    manifest_file     = "puppet/site.pp"
    hiera_config_path = "puppet/hiera.yaml"
    facter            = { role = "web" }
  }
  provisioner "puppet-masterless" {
    module_paths  = ["modules"]
    manifest_file = "manifests/site.pp"
  }
}
`);
    const result = await imp(file);
    expect(result.code).toContain('Provisioner.chefSolo({ cookbooks: path.join(TEMPLATE_DIR, "cookbooks"), runList: ["recipe[web]"], json: {"web":{"owner":"ops"}}, chefVersion: "18.8.11" })');
    expect(result.code).toContain('Provisioner.puppetApply({ modules: path.join(TEMPLATE_DIR, "puppet"), manifest: "site.pp", hieraConfig: "hiera.yaml", facts: { "role": "web" } })');
    expect(result.code).toContain('Provisioner.puppetApply({ modules: path.join(TEMPLATE_DIR, "modules"), manifest: "../manifests/site.pp" })');
    const find = (item: string) => result.entries.filter(e => e.item === item);
    expect(find('chef-solo.roles_path')[0]).toMatchObject({ status: 'unsupported', line: 11 });
    expect(find('chef-solo')[0]).toMatchObject({ status: 'mapped' });
    expect(find('puppet-masterless').map(e => e.status)).toEqual(['mapped', 'approximate']);
    expect(find('puppet-masterless')[1].message).toContain('move manifest_file manifests/site.pp into modules: only that folder is uploaded');
  });
});
