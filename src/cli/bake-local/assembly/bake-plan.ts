import { provisionerNameOf } from '../../../provisioning/component-description';
import { ToeDocument } from '../../../provisioning/toe/component-document';
import { ComponentDocumentError, parseComponentDocumentYaml } from '../../../provisioning/toe/parse';
import { validateComponentDocument } from '../../../provisioning/toe/validate';
import { CfnResource, CloudAssembly } from '../../assembly/cloud-assembly';
import { componentDocumentText } from '../../assembly/component-source';
import { FoundImage, referencedLogicalId } from '../../assembly/image-lookup';
import { IntrinsicContext, resolveIntrinsics, resolveString, UnresolvableError } from '../../assembly/intrinsics';
import { usageError } from '../../core/cli-error';
import { whyNotEmulated } from '../actions/registry';
import { BakePlan, DEFAULT_WORKING_DIRECTORY, PlannedComponent } from '../plan';

export interface PlanOptions {
  /** Components to leave out, by label or Image Builder name (`--skip`). */
  readonly skip?: readonly string[];
}

interface RecipeEntry {
  readonly ComponentArn?: unknown;
  readonly Parameters?: ReadonlyArray<{ readonly Name?: string; readonly Value?: readonly unknown[] }>;
}

/**
 * The bake plan of an image: its recipe's components in order, each document resolved, parsed
 * and validated with the library's own AWSTOE parser and validator, and every step checked to be
 * one bake-local can run. Whatever would stop the bake is found here, before anything runs.
 */
export function planBake(assembly: CloudAssembly, found: FoundImage, options: PlanOptions = {}): BakePlan {
  const stack = found.stack;
  const context: IntrinsicContext = { parameters: stack.parameters };
  const recipe = found.recipe.Properties ?? {};
  const recipeName = typeof recipe.Name === 'string' ? recipe.Name : '';
  const where = `${found.path} (recipe ${found.recipeLogicalId} in ${stack.templateFile})`;
  const parentImage = resolved(() => resolveString(recipe.ParentImage, context), `${where}: the recipe's ParentImage`);
  const skip = new Set(options.skip ?? []);
  const components: PlannedComponent[] = [];
  const skipped: Array<{ label: string; reason: string }> = [];
  const notes: string[] = [];

  const entries = ((Array.isArray(recipe.Components) ? recipe.Components : []) as RecipeEntry[]).map(entry => {
    const logicalId = referencedLogicalId(entry.ComponentArn);
    const resource = logicalId ? stack.resources[logicalId] : undefined;
    const name = resource ? String(resource.Properties?.Name ?? logicalId) : externalName(entry.ComponentArn, context);
    const label = provisionerNameOf(resource?.Properties?.Description)
      ?? (recipeName && name.startsWith(`${recipeName}-`) ? name.slice(recipeName.length + 1) : name);
    return { entry, logicalId, resource, name, label };
  });
  for (const wanted of skip) {
    if (!entries.some(e => e.label === wanted || e.name === wanted)) {
      throw usageError(`--skip ${wanted}: ${found.path} has no component of that name; its components are ${entries.map(e => e.label).join(', ')}`);
    }
  }
  for (const { entry, logicalId, resource, name, label } of entries) {
    if (skip.has(label) || skip.has(name)) {
      skipped.push({ label, reason: 'left out with --skip' });
      continue;
    }
    if (!resource || resource.Type !== 'AWS::ImageBuilder::Component') {
      throw usageError(`${where}: component '${label}' is not in the cloud assembly (it is ${describeArn(entry.ComponentArn, context)}), `
        + `so its document cannot be read here. Pass --skip ${label} to bake without it`);
    }
    const source = stack.paths.get(logicalId!)?.replace(/^\/+/, '') ?? `${logicalId} in ${stack.templateFile}`;
    components.push(planComponent(assembly, resource, { label, name, source }, entry, context, notes));
  }
  if (found.recipe.Type === 'AWS::ImageBuilder::ContainerRecipe') {
    notes.push('a container image: its steps run on a root of the parent\'s release as debootstrap makes it (fuller than the container image), '
      + 'and the Dockerfile\'s own instructions (USER, ENV, ENTRYPOINT, ...) are not applied');
  }
  type InstanceConfiguration = { SystemsManagerAgent?: { UninstallAfterBuild?: unknown } } | undefined;
  const ssm = (recipe.AdditionalInstanceConfiguration as InstanceConfiguration)?.SystemsManagerAgent;
  const tests = (found.image?.Properties?.ImageTestsConfiguration as { ImageTestsEnabled?: unknown } | undefined)?.ImageTestsEnabled;
  return {
    image: found.path,
    parentImage,
    workingDirectory: typeof recipe.WorkingDirectory === 'string' ? recipe.WorkingDirectory : DEFAULT_WORKING_DIRECTORY,
    components,
    skipped,
    keepSsmAgent: ssm?.UninstallAfterBuild === false,
    testsEnabled: tests !== false,
    assets: Object.fromEntries(assembly.assets),
    notes,
  };
}

function planComponent(assembly: CloudAssembly, resource: CfnResource,
  names: { label: string; name: string; source: string }, entry: RecipeEntry, context: IntrinsicContext, notes: string[]): PlannedComponent {
  const where = `${names.source} (component '${names.label}')`;
  const properties = resource.Properties ?? {};
  if (properties.Platform !== undefined && properties.Platform !== 'Linux') {
    throw usageError(`${where} is a ${String(properties.Platform)} component: bake-local runs Linux components only`);
  }
  const source = properties.Data !== undefined ? 'its document (Data)' : 'its document location (Uri)';
  const text = resolved(() => componentDocumentText(assembly, properties, where, context), `${where}: ${source}`);
  let document: ToeDocument;
  try {
    document = parseComponentDocumentYaml(text, where) as ToeDocument;
  } catch (e) {
    throw usageError(e instanceof ComponentDocumentError ? e.message.split('\n')[0] : String(e));
  }
  const errors = validateComponentDocument(document, { platform: 'Linux' }).filter(f => f.severity !== 'warning');
  if (errors.length > 0) {
    throw usageError(`${where}: its AWSTOE document does not validate: ${errors.map(f => f.message).slice(0, 3).join('; ')}`);
  }
  checkEmulated(document, where);
  checkPseudoParameters(text, assembly, names.label, notes);
  return { ...names, document, parameters: recipeParameters(entry, document, where, context) };
}

function checkEmulated(document: ToeDocument, where: string): void {
  const problems: string[] = [];
  for (const phase of document.phases) {
    for (const step of phase.steps) {
      const why = whyNotEmulated(step.action);
      if (why) {
        problems.push(`${phase.name}.${step.name} (${step.action}): ${why}`);
      }
    }
  }
  if (problems.length > 0) {
    throw usageError(`${where}: bake-local cannot run ${problems.join('; ')}`);
  }
}

/** A document that uses the account or region outside an asset's location sees them as text. */
function checkPseudoParameters(text: string, assembly: CloudAssembly, label: string, notes: string[]): void {
  let rest = text;
  for (const url of assembly.assets.keys()) {
    rest = rest.split(url).join('');
  }
  const used = [...new Set(Array.from(rest.matchAll(/\$\{(AWS::[A-Za-z]+)\}/g), m => m[1]))];
  if (used.length > 0) {
    notes.push(`component '${label}' uses ${used.join(', ')}, known only when deployed: its steps see the text \${${used[0]}}`);
  }
}

function recipeParameters(entry: RecipeEntry, document: ToeDocument, where: string, context: IntrinsicContext): Record<string, string> {
  const values: Record<string, string> = {};
  for (const parameter of entry.Parameters ?? []) {
    if (typeof parameter.Name === 'string') {
      const value = resolved(() => resolveIntrinsics(parameter.Value ?? [], context), `${where}: the recipe's value for parameter ${parameter.Name}`);
      values[parameter.Name] = (Array.isArray(value) ? value : [value]).map(String).join(',');
    }
  }
  for (const definition of document.parameters ?? []) {
    for (const [name, spec] of Object.entries(definition)) {
      if (values[name] === undefined && spec.default === undefined) {
        throw usageError(`${where}: parameter ${name} has no default and the recipe gives it no value`);
      }
    }
  }
  return values;
}

function externalName(arn: unknown, context: IntrinsicContext): string {
  const text = tryResolve(arn, context);
  return /:component\/([^/]+)/.exec(text ?? '')?.[1] ?? String(text ?? 'unknown');
}

function describeArn(arn: unknown, context: IntrinsicContext): string {
  const text = tryResolve(arn, context);
  if (text && /:aws:component\//.test(text)) {
    return `an AWS-managed component, ${text}`;
  }
  return text ? `the component ${text}` : 'a component made outside this app';
}

function tryResolve(value: unknown, context: IntrinsicContext): string | undefined {
  try {
    return resolveString(value, context);
  } catch {
    return undefined;
  }
}

function resolved<T>(resolve: () => T, what: string): T {
  try {
    return resolve();
  } catch (e) {
    if (e instanceof UnresolvableError) {
      throw usageError(`${what} refers to ${e.what}, known only when the stack is deployed: bake-local cannot run it`);
    }
    throw e;
  }
}
