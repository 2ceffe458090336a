/**
 * The CloudFormation intrinsic functions CDK writes into component documents and recipes
 * (`Fn::Join`, `Fn::Sub`, `Ref` to pseudo parameters and parameters with defaults, `Fn::Select`,
 * `Fn::Split`), resolved offline. Pseudo parameters (`AWS::AccountId`, `AWS::Region`, ...) stay as
 * the text `${AWS::Region}`: that is how asset manifests name the assets bucket of an app
 * synthesised without an environment, so an asset's S3 location in a document matches its entry.
 * Anything known only after deployment (`Fn::GetAtt`, a `Ref` to a resource) cannot be resolved.
 */

/** A value known only once the stack is deployed. */
export class UnresolvableError extends Error {
  constructor(public readonly what: string) {
    super(what);
    this.name = 'UnresolvableError';
    Object.setPrototypeOf(this, UnresolvableError.prototype);
  }
}

export interface IntrinsicContext {
  /** Template parameters: a `Ref` to one with a default resolves to the default. */
  readonly parameters?: Readonly<Record<string, { Default?: unknown }>>;
}

/** Resolves the intrinsics in a template value; throws UnresolvableError naming what is missing. */
export function resolveIntrinsics(value: unknown, context: IntrinsicContext = {}): unknown {
  if (Array.isArray(value)) {
    return value.map(item => resolveIntrinsics(item, context));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
    return resolveFunction(entries[0][0], entries[0][1], context);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, context)]));
}

/** Like resolveIntrinsics, for a value that must be a string. */
export function resolveString(value: unknown, context: IntrinsicContext = {}): string {
  const resolved = resolveIntrinsics(value, context);
  if (typeof resolved !== 'string') {
    throw new UnresolvableError(`a ${Array.isArray(resolved) ? 'list' : typeof resolved} where text was expected`);
  }
  return resolved;
}

function resolveFunction(name: string, argument: unknown, context: IntrinsicContext): unknown {
  switch (name) {
    case 'Ref':
      return resolveRef(String(argument), context);
    case 'Fn::Join': {
      const [delimiter, items] = asPair(name, argument);
      const list = resolveIntrinsics(items, context);
      if (!Array.isArray(list)) {
        throw new UnresolvableError('Fn::Join of something that is not a list');
      }
      return list.map(item => String(item)).join(String(delimiter));
    }
    case 'Fn::Sub': {
      const [template, variables] = typeof argument === 'string' ? [argument, {}] : asPair(name, argument);
      return substitute(String(template), (resolveIntrinsics(variables, context) ?? {}) as Record<string, unknown>, context);
    }
    case 'Fn::Select': {
      const [index, items] = asPair(name, argument);
      const list = resolveIntrinsics(items, context);
      if (!Array.isArray(list) || list[Number(resolveIntrinsics(index, context))] === undefined) {
        throw new UnresolvableError('Fn::Select outside its list');
      }
      return list[Number(resolveIntrinsics(index, context))];
    }
    case 'Fn::Split': {
      const [delimiter, text] = asPair(name, argument);
      return resolveString(text, context).split(String(delimiter));
    }
    case 'Fn::GetAtt':
      throw new UnresolvableError(`the attribute ${Array.isArray(argument) ? argument.join('.') : String(argument)} (Fn::GetAtt)`);
    default:
      throw new UnresolvableError(`${name}, which is evaluated only during deployment`);
  }
}

function resolveRef(name: string, context: IntrinsicContext): unknown {
  if (name.startsWith('AWS::')) {
    return `\${${name}}`;
  }
  const parameter = context.parameters?.[name];
  if (parameter && parameter.Default !== undefined) {
    return parameter.Default;
  }
  throw new UnresolvableError(parameter ? `the template parameter ${name}, which has no default` : `the resource ${name} (Ref)`);
}

function substitute(template: string, variables: Record<string, unknown>, context: IntrinsicContext): string {
  // `${!Literal}` is written as `${Literal}`; `${Name}` is a variable, parameter or pseudo parameter.
  return template.replace(/\$\{([^}]*)\}/g, (_, body: string) => {
    if (body.startsWith('!')) {
      return `\${${body.slice(1)}}`;
    }
    if (Object.prototype.hasOwnProperty.call(variables, body)) {
      return String(variables[body]);
    }
    if (body.includes('.')) {
      throw new UnresolvableError(`the attribute ${body} (Fn::Sub)`);
    }
    const resolved = resolveRef(body, context);
    return typeof resolved === 'string' ? resolved : String(resolved);
  });
}

function asPair(name: string, argument: unknown): [unknown, unknown] {
  if (!Array.isArray(argument) || argument.length !== 2) {
    throw new UnresolvableError(`a malformed ${name}`);
  }
  return [argument[0], argument[1]];
}
