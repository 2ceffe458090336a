import { classifyExpression, findExpressions, ToeAccessor } from '../../../provisioning/toe/expressions';

/**
 * Substitutes AWSTOE expressions (`{{ Name }}`, `{{ loop.value }}`, `{{ build.Step.outputs.stdout }}`)
 * in a step's inputs, loop list or condition, using the library's own expression grammar. As
 * AWSTOE does, an expression with nothing to refer to (a loop variable outside a loop) is left as
 * written.
 */

/** What earlier steps of the same document left for chaining expressions. */
export class ChainStore {
  private readonly steps = new Map<string, { inputs: unknown; outputs: Readonly<Record<string, string>> }>();

  public record(phase: string, step: string, inputs: unknown, outputs: Readonly<Record<string, string>>): void {
    this.steps.set(`${phase}.${step}`, { inputs, outputs });
  }

  public lookup(phase: string, step: string): { inputs: unknown; outputs: Readonly<Record<string, string>> } | undefined {
    return this.steps.get(`${phase}.${step}`);
  }
}

/** The current loop iteration. */
export interface LoopIteration {
  readonly name?: string;
  readonly value: string;
  readonly index: number;
}

export interface ExpressionScope {
  /** Parameters (recipe values over defaults) and constants. */
  readonly variables: ReadonlyMap<string, string>;
  readonly loop?: LoopIteration;
  readonly chain: ChainStore;
}

/** `value` with every resolvable expression in its strings substituted; map keys are left alone. */
export function substitute(value: unknown, scope: ExpressionScope): unknown {
  if (typeof value === 'string') {
    let result = value;
    for (const expression of findExpressions(value)) {
      const replacement = resolveReference(expression.body, scope);
      if (replacement !== undefined) {
        result = result.split(expression.text).join(replacement);
      }
    }
    return result;
  }
  if (Array.isArray(value)) {
    return value.map(item => substitute(item, scope));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, scope)]));
  }
  return value;
}

function resolveReference(body: string, scope: ExpressionScope): string | undefined {
  const reference = classifyExpression(body);
  switch (reference.kind) {
    case 'variable':
      return scope.variables.get(reference.name);
    case 'loop':
      if (scope.loop && (reference.loopName === 'loop' || reference.loopName === scope.loop.name)) {
        return reference.member === 'value' ? scope.loop.value : String(scope.loop.index);
      }
      return undefined;
    case 'chain': {
      const step = scope.chain.lookup(reference.phase, reference.step);
      if (!step) {
        return undefined;
      }
      const found = walk(reference.section === 'inputs' ? step.inputs : step.outputs, reference.path);
      return found === undefined ? undefined : (typeof found === 'string' ? found : JSON.stringify(found));
    }
    default:
      return undefined;
  }
}

function walk(value: unknown, path: readonly ToeAccessor[]): unknown {
  let current = value;
  for (const accessor of path) {
    if ('index' in accessor) {
      // `inputs[0]` of a step whose inputs are one map is that map.
      current = Array.isArray(current) ? current[accessor.index] : (accessor.index === 0 ? current : undefined);
    } else {
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[accessor.key] : undefined;
    }
    if (current === undefined) {
      return undefined;
    }
  }
  return current;
}

/** Parameters (the recipe's values over the defaults) and constants of a document. */
export function documentVariables(
  parameters: ReadonlyArray<Record<string, { default?: unknown }>> | undefined,
  constants: ReadonlyArray<Record<string, { value: unknown }>> | undefined,
  given: Readonly<Record<string, string>>,
): Map<string, string> {
  const variables = new Map<string, string>();
  for (const entry of parameters ?? []) {
    for (const [name, spec] of Object.entries(entry)) {
      const value = given[name] ?? spec.default;
      if (value !== undefined) {
        variables.set(name, String(value));
      }
    }
  }
  for (const entry of constants ?? []) {
    for (const [name, spec] of Object.entries(entry)) {
      variables.set(name, String(spec.value));
    }
  }
  return variables;
}

/** The iterations of a step's loop (expressions in a forEach list substituted first). */
export function loopIterations(loop: unknown, scope: ExpressionScope): LoopIteration[] {
  if (typeof loop !== 'object' || loop === null) {
    throw new Error('the loop is not a map');
  }
  const spec = loop as { name?: unknown; for?: { start?: unknown; end?: unknown; updateBy?: unknown }; forEach?: unknown };
  const name = typeof spec.name === 'string' ? spec.name : undefined;
  let values: string[];
  if (spec.for) {
    const start = Number(spec.for.start);
    const end = Number(spec.for.end);
    const step = Number(spec.for.updateBy);
    if (![start, end, step].every(Number.isInteger) || step === 0 || (end - start) * step < 0) {
      throw new Error(`the for loop from ${spec.for.start} to ${spec.for.end} by ${spec.for.updateBy} never ends`);
    }
    values = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      values.push(String(v));
    }
  } else if (Array.isArray(spec.forEach)) {
    values = (substitute(spec.forEach, scope) as unknown[]).map(v => String(v));
  } else if (typeof spec.forEach === 'object' && spec.forEach !== null) {
    const list = spec.forEach as { list?: unknown; delimiter?: unknown };
    values = String(substitute(list.list ?? '', scope)).split(String(list.delimiter ?? ','));
  } else {
    throw new Error('the loop has neither for nor forEach');
  }
  return values.map((value, index) => ({ name, value, index }));
}
