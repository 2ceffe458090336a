/**
 * Evaluates the few CloudFormation intrinsics a synthesised custom resource's properties use
 * (Ref, Fn::GetAtt, Fn::Join, Fn::Split, Fn::Select), with the values a deployment would give
 * the references, as CloudFormation does before it calls a custom resource's handler. Any other
 * intrinsic fails: the test must then say what it stands for.
 */
export interface DeployedValues {
  /** `Ref` of a logical id or pseudo parameter. */
  readonly refs: Record<string, string>;
  /** `Fn::GetAtt`, by `<logical id>.<attribute>`. */
  readonly attributes: Record<string, string>;
}

export function evaluate(node: unknown, values: DeployedValues): unknown {
  if (Array.isArray(node)) {
    return node.map(n => evaluate(n, values));
  }
  if (typeof node !== 'object' || node === null) {
    return node;
  }
  const entries = Object.entries(node);
  const [key, arg] = entries[0] ?? [];
  if (entries.length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
    return intrinsic(key, arg, values);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, evaluate(v, values)]));
}

/**
 * A custom resource's ResourceProperties as its handler receives them: intrinsics resolved,
 * and every scalar a string (CloudFormation passes `false` as "false").
 */
export function resourceProperties(properties: Record<string, unknown>, values: DeployedValues): Record<string, unknown> {
  return stringified(evaluate(properties, values)) as Record<string, unknown>;
}

function stringified(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(stringified);
  }
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, stringified(v)]));
  }
  return String(node);
}

function intrinsic(name: string, arg: any, values: DeployedValues): unknown {
  switch (name) {
    case 'Ref':
      return known(values.refs, arg, 'Ref');
    case 'Fn::GetAtt':
      return known(values.attributes, `${arg[0]}.${arg[1]}`, 'Fn::GetAtt');
    case 'Fn::Join': {
      const [separator, parts] = arg;
      return (evaluate(parts, values) as unknown[]).map(p => asString(p, name)).join(separator);
    }
    case 'Fn::Split': {
      const [separator, source] = arg;
      return asString(evaluate(source, values), name).split(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg;
      const items = evaluate(list, values) as unknown[];
      const i = Number(evaluate(index, values));
      if (!Array.isArray(items) || i < 0 || i >= items.length) {
        // CloudFormation fails the stack operation on an index outside the list.
        throw new Error(`Fn::Select: index ${i} is outside ${JSON.stringify(items)}`);
      }
      return items[i];
    }
    default:
      throw new Error(`evaluate: ${name} is not one of the intrinsics this evaluator knows`);
  }
}

function known(table: Record<string, string>, key: string, what: string): string {
  if (!(key in table)) {
    throw new Error(`evaluate: no deployed value for ${what} ${key}`);
  }
  return table[key];
}

function asString(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`);
  }
  return value;
}
