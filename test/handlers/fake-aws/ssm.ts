import type {
  DeleteParameterCommandInput,
  DeleteParameterCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  PutParameterCommandInput,
  PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import { serviceError } from './aws-errors';

// Standard-tier parameter values hold at most 4 KB.
const MAX_STANDARD_VALUE = 4096;

export interface ParameterRecord {
  readonly name: string;
  value: string;
  version: number;
  readonly type: string;
  lastModified: number;
}

/** SSM Parameter Store, standard tier: versions, overwrite rules and the 4 KB limit. */
export class FakeSsm {
  public readonly parameters = new Map<string, ParameterRecord>();

  public constructor(private readonly now: () => number) {}

  public getParameter(input: GetParameterCommandInput): GetParameterCommandOutput {
    const parameter = input.Name ? this.parameters.get(input.Name) : undefined;
    if (!parameter) {
      throw serviceError('ssm', 'ParameterNotFound', '');
    }
    return {
      Parameter: {
        Name: parameter.name,
        Value: parameter.value,
        Version: parameter.version,
        Type: parameter.type as 'String',
        LastModifiedDate: new Date(parameter.lastModified),
        ARN: `arn:aws:ssm:us-east-1:123456789012:parameter/${parameter.name.replace(/^\//, '')}`,
        DataType: 'text',
      },
      $metadata: {},
    };
  }

  public putParameter(input: PutParameterCommandInput): PutParameterCommandOutput {
    const name = input.Name ?? '';
    if (!/^[a-zA-Z0-9_.\-/]{1,1011}$/.test(name)) {
      throw serviceError('ssm', 'ValidationException', `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive) and must match [a-zA-Z0-9_.-/]: ${name}`);
    }
    const value = input.Value ?? '';
    if (value.length === 0 || value.length > MAX_STANDARD_VALUE) {
      throw serviceError('ssm', 'ValidationException', `Standard tier parameters support a maximum parameter value of ${MAX_STANDARD_VALUE} characters (got ${value.length})`);
    }
    const existing = this.parameters.get(name);
    if (existing && !input.Overwrite) {
      throw serviceError('ssm', 'ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    if (existing) {
      existing.value = value;
      existing.version++;
      existing.lastModified = this.now();
      return { Version: existing.version, Tier: 'Standard', $metadata: {} };
    }
    this.parameters.set(name, { name, value, version: 1, type: input.Type ?? 'String', lastModified: this.now() });
    return { Version: 1, Tier: 'Standard', $metadata: {} };
  }

  public deleteParameter(input: DeleteParameterCommandInput): DeleteParameterCommandOutput {
    if (!input.Name || !this.parameters.delete(input.Name)) {
      throw serviceError('ssm', 'ParameterNotFound', '');
    }
    return { $metadata: {} };
  }
}
