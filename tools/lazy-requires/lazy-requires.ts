import * as ts from 'typescript';

/**
 * Rewrites one compiled CommonJS module so that each top-level `const x = require('m')` (also
 * wrapped in TypeScript's `__importStar` / `__importDefault`) loads `m` on the first use of `x`
 * instead of when the module loads.
 *
 * Why: the package index names every construct, so loading it used to load every module, the
 * release controller's and the load balancer's included, for an app that only bakes an image.
 * With the index and every module lazy, a module loads when something first reads from it.
 *
 * A binding is made lazy only when every use is a property read (`x.Name`, which is all the
 * TypeScript compiler emits for imports) and no other declaration in the file has its name;
 * anything else keeps its eager require. The rewrite keeps line count and order, so stack
 * traces and source maps point where they did.
 */
export function lazyRequires(source: string, fileName: string): LazyRequiresResult {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const candidates = topLevelRequires(file);
  if (candidates.size === 0) {
    return { text: source, lazy: [] };
  }
  const uses = new Map<string, ts.Identifier[]>();
  const eager = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && candidates.has(node.text)) {
      const binding = candidates.get(node.text)!;
      if (node === binding.declaration.name) {
        // the declaration itself
      } else if (isDeclarationName(node)) {
        eager.add(node.text);
      } else if (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node) {
        uses.set(node.text, [...(uses.get(node.text) ?? []), node]);
      } else if (!(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)
        && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) {
        eager.add(node.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);

  const edits: Edit[] = [];
  const lazy: string[] = [];
  for (const [name, binding] of candidates) {
    if (eager.has(name)) {
      continue;
    }
    lazy.push(binding.specifier);
    const cache = `${name}$loaded`;
    // One line, where the require was: a hoisted function, so uses above it still work.
    edits.push({
      start: binding.statement.getStart(file),
      end: binding.statement.getEnd(),
      text: `var ${cache}; function ${name}() { return ${cache} ?? (${cache} = ${binding.initializer}); }`,
    });
    // Parenthesised: `new x.Class()` must become `new (x()).Class()`, not `new x().Class()`.
    for (const use of uses.get(name) ?? []) {
      edits.push({ start: use.getStart(file), end: use.getEnd(), text: `(${name}())` });
    }
  }
  return { text: applyEdits(source, edits), lazy };
}

export interface LazyRequiresResult {
  /** The rewritten module. */
  readonly text: string;
  /** The specifiers now loaded on first use, in file order. */
  readonly lazy: string[];
}

interface RequireBinding {
  readonly statement: ts.VariableStatement;
  readonly declaration: ts.VariableDeclaration & { name: ts.Identifier };
  readonly initializer: string;
  readonly specifier: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const IMPORT_HELPERS = new Set(['__importStar', '__importDefault']);

function topLevelRequires(file: ts.SourceFile): Map<string, RequireBinding> {
  const found = new Map<string, RequireBinding>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) {
      continue;
    }
    const declaration = statement.declarationList.declarations[0];
    if (!ts.isIdentifier(declaration.name) || !declaration.initializer) {
      continue;
    }
    const specifier = requiredSpecifier(declaration.initializer);
    if (specifier !== undefined) {
      found.set(declaration.name.text, {
        statement,
        declaration: declaration as RequireBinding['declaration'],
        initializer: declaration.initializer.getText(file),
        specifier,
      });
    }
  }
  return found;
}

/** `require('m')`, or `__importStar(require('m'))`: the `m`. */
function requiredSpecifier(expression: ts.Expression): string | undefined {
  if (!ts.isCallExpression(expression) || !ts.isIdentifier(expression.expression) || expression.arguments.length !== 1) {
    return undefined;
  }
  const [argument] = expression.arguments;
  if (expression.expression.text === 'require') {
    return ts.isStringLiteral(argument) ? argument.text : undefined;
  }
  return IMPORT_HELPERS.has(expression.expression.text) ? requiredSpecifier(argument) : undefined;
}

function isDeclarationName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent)
    || ts.isClassDeclaration(parent) || ts.isBindingElement(parent) || ts.isFunctionExpression(parent)
    || ts.isClassExpression(parent) || ts.isCatchClause(parent)) && (parent as { name?: ts.Node }).name === node;
}

function applyEdits(source: string, edits: Edit[]): string {
  let text = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return text;
}
