import { TOE_PHASE_NAMES, ToePhaseName } from './component-document';

/**
 * AWSTOE expressions: `{{ ... }}` inside string values of step inputs, loops and conditions.
 * They name a parameter or constant, a loop's iteration variable, or (chaining) an input or
 * output of an earlier step. Spaces inside the braces are trimmed.
 */

/** One `{{ ... }}` occurrence in a string. */
export interface ToeExpression {
  /** The text between the braces, trimmed. */
  readonly body: string;
  /** The whole occurrence, braces included, as written. */
  readonly text: string;
}

/** One step in an accessor path after `inputs` / `outputs`: an index (`[0]`) or a key (`.destination`). */
export type ToeAccessor = { readonly index: number } | { readonly key: string };

export type ToeReference =
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'loop'; readonly loopName: string; readonly member: 'value' | 'index' }
  | {
    readonly kind: 'chain';
    readonly phase: ToePhaseName;
    readonly step: string;
    readonly section: 'inputs' | 'outputs';
    readonly path: readonly ToeAccessor[];
  }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Names of steps and loops. AWSTOE publishes no pattern for them, but chaining expressions
 * address steps as `<phase>.<step>` and loops as `<loop>.value`, so only names without dots,
 * spaces or braces can be referred to. Letters, digits, `-` and `_` are what AWSTOE allows in
 * parameter names and what every documented example uses.
 */
export const TOE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;
const NAME = '[A-Za-z0-9_-]+';
const VARIABLE = new RegExp(`^${NAME}$`);
const LOOP_MEMBER = new RegExp(`^(${NAME})\\.(value|index)$`);
const CHAIN = new RegExp(`^([A-Za-z-]+)\\.(${NAME})\\.(inputs|outputs)((?:\\[\\s*\\d+\\s*\\]|\\.${NAME})*)$`);
const ACCESSOR = new RegExp(`\\[\\s*(\\d+)\\s*\\]|\\.(${NAME})`, 'g');

/** The expressions in a string, in order. */
export function findExpressions(value: string): ToeExpression[] {
  return Array.from(value.matchAll(EXPRESSION), match => ({ body: match[1].trim(), text: match[0] }));
}

/** What an expression refers to, by its form alone (nothing is looked up here). */
export function classifyExpression(body: string): ToeReference {
  if (body === '') {
    return { kind: 'invalid', reason: 'the braces are empty' };
  }
  if (VARIABLE.test(body)) {
    return { kind: 'variable', name: body };
  }
  const loop = LOOP_MEMBER.exec(body);
  if (loop) {
    return { kind: 'loop', loopName: loop[1], member: loop[2] as 'value' | 'index' };
  }
  const chain = CHAIN.exec(body);
  if (chain) {
    if (!(TOE_PHASE_NAMES as readonly string[]).includes(chain[1])) {
      return { kind: 'invalid', reason: `'${chain[1]}' is not a phase (chaining expressions start with one of ${TOE_PHASE_NAMES.join(', ')})` };
    }
    if (chain[4] === '') {
      return { kind: 'invalid', reason: `a chaining expression must name what to read from ${chain[3]}, for example ${chain[1]}.${chain[2]}.${chain[3] === 'inputs' ? 'inputs[0].destination' : 'outputs.stdout'}` };
    }
    return {
      kind: 'chain',
      phase: chain[1] as ToePhaseName,
      step: chain[2],
      section: chain[3] as 'inputs' | 'outputs',
      path: Array.from(chain[4].matchAll(ACCESSOR), m => (m[1] !== undefined ? { index: Number(m[1]) } : { key: m[2] })),
    };
  }
  return {
    kind: 'invalid',
    reason: 'it is not a parameter or constant name, a loop variable (loop.value, loop.index) '
      + 'or a chaining expression (<phase>.<step>.inputs[<n>].<name> or <phase>.<step>.outputs.<name>)',
  };
}

/** Writes an accessor path back as text, for messages. */
export function formatAccessors(path: readonly ToeAccessor[]): string {
  return path.map(a => ('index' in a ? `[${a.index}]` : `.${a.key}`)).join('');
}
