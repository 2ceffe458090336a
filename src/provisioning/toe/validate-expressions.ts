import { toeAction } from './actions';
import { ToePhaseName } from './component-document';
import { classifyExpression, findExpressions, formatAccessors, ToeAccessor, ToeReference } from './expressions';
import { childPath, didYouMean, FindingList, isMap, listWords, quoteExpressionMessage, unquotedExpression } from './findings';

/**
 * Checks the `{{ ... }}` expressions of one step against the rest of the document: variables
 * must be declared, loop variables belong to the step's own loop, and chaining expressions
 * read an earlier step of the same Image Builder stage.
 */

/** What the expression check needs to know about a step. */
export interface StepRecord {
  readonly name?: string;
  readonly action?: string;
  readonly inputs: unknown;
  readonly hasLoop: boolean;
  readonly loopName?: string;
}

/** A phase with a known name (the first one, when a name is repeated). */
export interface PhaseRecord {
  readonly name: ToePhaseName;
  /** Position among the document's phases. */
  readonly position: number;
  readonly steps: readonly StepRecord[];
}

export interface DocumentIndex {
  /** Declared parameters and constants. */
  readonly variables: ReadonlyMap<string, 'parameter' | 'constant'>;
  readonly phases: readonly PhaseRecord[];
}

/** Where the expressions being checked are. */
export interface ExpressionScope {
  readonly phase: PhaseRecord;
  readonly stepIndex: number;
  /** `loop` for the loop's own values, where the loop's variables do not exist yet. */
  readonly section: 'inputs' | 'loop' | 'if';
}

/** Image Builder runs build and validate on the build instance, test on a new one launched from the image. */
const STAGE: Record<ToePhaseName, string> = {
  'build': 'build stage',
  'validate': 'build stage',
  'test': 'test stage',
  'container-host-test': 'container host test stage',
};

/** Checks every string under `value` (map keys are not expressions and are left alone). */
export function checkExpressions(findings: FindingList, index: DocumentIndex, scope: ExpressionScope, value: unknown, path: string): void {
  if (typeof value === 'string') {
    checkString(findings, index, scope, value, path);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkExpressions(findings, index, scope, item, childPath(path, i)));
    return;
  }
  if (isMap(value)) {
    const expression = unquotedExpression(value);
    if (expression) {
      findings.error(path, quoteExpressionMessage(expression));
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      checkExpressions(findings, index, scope, item, childPath(path, key));
    }
  }
}

function checkString(findings: FindingList, index: DocumentIndex, scope: ExpressionScope, value: string, path: string): void {
  const seen = new Set<string>();
  for (const expression of findExpressions(value)) {
    if (seen.has(expression.body)) {
      continue;
    }
    seen.add(expression.body);
    const problem = referenceProblem(index, scope, classifyExpression(expression.body));
    if (problem) {
      findings.error(path, `uses ${expression.text}, but ${problem}`);
    }
  }
}

function referenceProblem(index: DocumentIndex, scope: ExpressionScope, reference: ToeReference): string | undefined {
  switch (reference.kind) {
    case 'invalid':
      return `${reference.reason}`;
    case 'variable':
      return variableProblem(index, reference.name);
    case 'loop':
      return loopProblem(index, scope, reference.loopName, reference.member);
    case 'chain':
      return chainProblem(index, scope, reference.phase, reference.step, reference.section, reference.path);
  }
}

function variableProblem(index: DocumentIndex, name: string): string | undefined {
  if (index.variables.has(name)) {
    return undefined;
  }
  const declared = [...index.variables.keys()];
  return `'${name}' is not a declared parameter or constant${didYouMean(name, declared)}: `
    + 'declare it under parameters (a value the recipe can set) or constants, or fix the name';
}

function loopProblem(index: DocumentIndex, scope: ExpressionScope, loopName: string, member: string): string | undefined {
  const step = scope.phase.steps[scope.stepIndex];
  if (scope.section === 'loop') {
    return 'loop variables exist only while the loop runs: they can be used in the step\'s inputs, not in the loop\'s own values';
  }
  if (loopName === 'loop' || loopName === step.loopName) {
    return step.hasLoop
      ? undefined
      : `this step has no loop: loop.${member} can only be used in a step that has a loop (add loop: { forEach: [...] } or use a parameter)`;
  }
  const owner = index.phases.flatMap(phase => phase.steps).find(other => other.loopName === loopName);
  if (owner) {
    return `'${loopName}' is the loop of step '${owner.name}': a step can use only its own loop's variables (loop.${member} here)`;
  }
  return `'${loopName}' is not a loop name or a declared variable: name this step's loop '${loopName}' (loop: { name: ${loopName}, ... }) or use loop.${member}`;
}

function chainProblem(
  index: DocumentIndex,
  scope: ExpressionScope,
  phaseName: ToePhaseName,
  stepName: string,
  section: 'inputs' | 'outputs',
  path: readonly ToeAccessor[],
): string | undefined {
  const here = scope.phase;
  const target = index.phases.find(phase => phase.name === phaseName);
  if (!target) {
    return `this document has no '${phaseName}' phase`;
  }
  if (STAGE[target.name] !== STAGE[here.name]) {
    return `Image Builder runs the '${target.name}' phase in its ${STAGE[target.name]} and '${here.name}' in its ${STAGE[here.name]}, `
      + 'on different instances, so chaining cannot cross them: repeat the step in this phase, or pass the value as a parameter';
  }
  if (target.position > here.position) {
    return `the '${target.name}' phase runs after '${here.name}': chaining can only read steps that have already run`;
  }
  const stepIndex = target.steps.findIndex(step => step.name === stepName);
  if (stepIndex < 0) {
    const names = target.steps.map(step => step.name).filter((name): name is string => name !== undefined);
    return `phase '${target.name}' has no step '${stepName}'${didYouMean(stepName, names)}`;
  }
  if (target === here && stepIndex === scope.stepIndex) {
    return 'a step cannot read its own inputs or outputs: refer to an earlier step';
  }
  if (target === here && stepIndex > scope.stepIndex) {
    return `step '${stepName}' runs after this one (it is step ${stepIndex} of '${target.name}'): chaining can only read earlier steps`;
  }
  const step = target.steps[stepIndex];
  return section === 'inputs' ? inputsProblem(step, path) : outputsProblem(step, path);
}

function inputsProblem(step: StepRecord, path: readonly ToeAccessor[]): string | undefined {
  let value: unknown = step.inputs;
  let walked = '';
  for (const accessor of path) {
    if ('index' in accessor) {
      if (!Array.isArray(value)) {
        return `${describeWalked(step, walked)} is not a list, so [${accessor.index}] cannot be read`
          + (walked === '' && isMap(value) ? ` (write ${step.name}.inputs.<name> for ${step.action} inputs)` : '');
      }
      if (accessor.index >= value.length) {
        return `${describeWalked(step, walked)} has ${value.length} ${value.length === 1 ? 'entry' : 'entries'}, so [${accessor.index}] does not exist (indexes start at 0)`;
      }
      value = value[accessor.index];
    } else {
      if (!isMap(value)) {
        return `${describeWalked(step, walked)} is ${Array.isArray(value) ? 'a list: pick an entry first, like inputs[0]' : 'not a map'}`
          + `, so .${accessor.key} cannot be read`;
      }
      if (!(accessor.key in value)) {
        return `${describeWalked(step, walked)} has no '${accessor.key}'${didYouMean(accessor.key, Object.keys(value))}`
          + ` (it has ${listWords(Object.keys(value).map(k => `'${k}'`)) || 'nothing'})`;
      }
      value = value[accessor.key];
    }
    walked += formatAccessors([accessor]);
  }
  return undefined;
}

function describeWalked(step: StepRecord, walked: string): string {
  return `the inputs${walked} of step '${step.name}'`;
}

function outputsProblem(step: StepRecord, path: readonly ToeAccessor[]): string | undefined {
  const spec = step.action !== undefined ? toeAction(step.action) : undefined;
  if (!spec || spec.outputs === undefined) {
    return undefined;
  }
  const first = path.find((accessor): accessor is { key: string } => 'key' in accessor);
  if (spec.outputs.length === 0) {
    return `the ${spec.name} action of step '${step.name}' has no outputs: read its inputs instead, like ${step.name}.inputs[0].destination`;
  }
  if (!first || !spec.outputs.includes(first.key)) {
    return `${spec.name} has no output '${first?.key ?? ''}'${didYouMean(first?.key ?? '', spec.outputs)}: its outputs are `
      + listWords(spec.outputs.map(o => `'${o}'`));
  }
  return undefined;
}
