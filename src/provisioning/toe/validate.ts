import { closestToeAction, ToeActionSpec, toeAction } from './actions';
import {
  TOE_ON_FAILURE_VALUES, TOE_PHASE_NAMES, TOE_PLATFORMS, TOE_SCHEMA_VERSION,
  ToeDocument, ToePhaseName, ToePlatform,
} from './component-document';
import { TOE_NAME } from './expressions';
import {
  checkKeys, childPath, describe, didYouMean, DocumentFinding, FindingList, isMap, listWords,
  reportNotAString, unquotedExpression,
} from './findings';
import { isUnresolved } from './tokens';
import { checkExpressions, DocumentIndex, PhaseRecord, StepRecord } from './validate-expressions';
import { validateInputs } from './validate-inputs';
import { checkLoop } from './validate-loop';
import { checkVariables } from './validate-variables';

export type { DocumentFinding } from './findings';

export interface ValidateComponentDocumentOptions {
  /** The component's platform: steps and inputs it cannot run are reported. */
  readonly platform?: ToePlatform;
}

const DOCUMENT_KEYS = ['name', 'description', 'schemaVersion', 'parameters', 'constants', 'phases'];
const PHASE_KEYS = ['name', 'steps'];
const STEP_KEYS = ['name', 'action', 'timeoutSeconds', 'onFailure', 'maxAttempts', 'loop', 'if', 'inputs'];
/** Keys people write for step keys (compared in lower case); differences in case alone are found anyway. */
const STEP_KEY_ALIASES: Record<string, string> = {
  timeout: 'timeoutSeconds',
  retries: 'maxAttempts',
  maxretries: 'maxAttempts',
  input: 'inputs',
  condition: 'if',
};

/** Checks a parsed document against the AWSTOE schema; returns all findings (empty = valid). */
export function validateComponentDocument(doc: unknown, options: ValidateComponentDocumentOptions = {}): DocumentFinding[] {
  const findings = new FindingList();
  new DocumentValidator(findings, options.platform).validate(doc);
  return findings.findings;
}

/**
 * Which platforms can run a (valid) document, from its actions: ExecuteBash and the POSIX file
 * actions need Linux, ExecutePowerShell, InstallMSI, UninstallMSI and SetRegistry need Windows,
 * the rest run on both. Empty when the document mixes the two.
 */
export function documentPlatforms(doc: ToeDocument): ToePlatform[] {
  const possible = new Set<ToePlatform>(TOE_PLATFORMS);
  for (const phase of Array.isArray(doc.phases) ? doc.phases : []) {
    for (const step of Array.isArray(phase?.steps) ? phase.steps : []) {
      for (const platform of TOE_PLATFORMS) {
        if (!stepRunsOn(step, platform)) {
          possible.delete(platform);
        }
      }
    }
  }
  return TOE_PLATFORMS.filter(platform => possible.has(platform));
}

function stepRunsOn(step: unknown, platform: ToePlatform): boolean {
  if (!isMap(step) || typeof step.action !== 'string') {
    return true;
  }
  const spec = toeAction(step.action);
  if (!spec) {
    return true;
  }
  if (!spec.platforms.includes(platform)) {
    return false;
  }
  return inputMaps(step.inputs).every(inputs =>
    Object.keys(inputs).every(key => spec.inputs[key]?.platforms?.includes(platform) ?? true));
}

function inputMaps(inputs: unknown): Record<string, unknown>[] {
  if (Array.isArray(inputs)) {
    return inputs.filter(isMap);
  }
  return isMap(inputs) ? [inputs] : [];
}

class DocumentValidator {
  private index: DocumentIndex = { variables: new Map(), phases: [] };

  constructor(private readonly findings: FindingList, private readonly platform: ToePlatform | undefined) {}

  public validate(doc: unknown): void {
    if (!isMap(doc)) {
      this.findings.error('', `must be a mapping with schemaVersion and phases, but it is ${describe(doc)}`);
      return;
    }
    checkKeys(this.findings, doc, '', DOCUMENT_KEYS, 'a component document');
    for (const key of ['name', 'description']) {
      if (doc[key] !== undefined && typeof doc[key] !== 'string') {
        reportNotAString(this.findings, key, doc[key]);
      }
    }
    this.checkSchemaVersion(doc);
    this.index = { variables: checkVariables(this.findings, doc), phases: indexPhases(doc.phases) };
    this.checkPhases(doc.phases);
    if (!this.platform) {
      this.checkPlatformsAgree(doc);
    }
  }

  private checkSchemaVersion(doc: Record<string, unknown>): void {
    const version = doc.schemaVersion;
    if (version === undefined) {
      this.findings.error('', `has no schemaVersion: add schemaVersion: ${TOE_SCHEMA_VERSION}`);
    } else if (version !== TOE_SCHEMA_VERSION && version !== 1) {
      this.findings.error('schemaVersion', `must be ${TOE_SCHEMA_VERSION}, the only AWSTOE schema version, not ${describe(version)}`);
    }
  }

  private checkPhases(phases: unknown): void {
    if (phases === undefined) {
      this.findings.error('', 'has no phases: add phases: with at least one of build, validate or test, each with its steps');
      return;
    }
    if (!Array.isArray(phases) || phases.length === 0) {
      this.findings.error('phases', `must be a non-empty list of phases (- name: build ...), not ${Array.isArray(phases) ? 'an empty list' : describe(phases)}`);
      return;
    }
    const seen = new Map<string, number>();
    phases.forEach((phase, i) => this.checkPhase(phase, i, seen));
    if (seen.size > 0 && !['build', 'validate', 'test'].some(name => seen.has(name))) {
      this.findings.error('phases', 'must include at least one of the build, validate or test phases');
    }
  }

  private checkPhase(phase: unknown, position: number, seen: Map<string, number>): void {
    const path = childPath('phases', position);
    if (!isMap(phase)) {
      this.findings.error(path, `must be a map with name and steps, not ${describe(phase)}`);
      return;
    }
    checkKeys(this.findings, phase, path, PHASE_KEYS, 'a phase');
    const name = phase.name;
    const namePath = childPath(path, 'name');
    if (name === undefined) {
      this.findings.error(path, `has no name: name it one of ${listWords(TOE_PHASE_NAMES)}`);
    } else if (typeof name !== 'string' || !(TOE_PHASE_NAMES as readonly string[]).includes(name)) {
      this.findings.error(namePath, `${describe(name)} is not a phase${typeof name === 'string' ? didYouMean(name, TOE_PHASE_NAMES) : ''}: `
        + `phases are named ${listWords(TOE_PHASE_NAMES)}`);
    } else if (seen.has(name)) {
      this.findings.error(namePath, `'${name}' is used twice: phase names must be unique in a document, so move these steps into phases[${seen.get(name)}]`);
    } else {
      seen.set(name, position);
    }
    const record = this.index.phases.find(p => p.position === position);
    const steps = phase.steps;
    if (steps === undefined) {
      this.findings.error(path, 'has no steps: add steps: with at least one step, or remove the phase');
    } else if (!Array.isArray(steps) || steps.length === 0) {
      this.findings.error(childPath(path, 'steps'), `must be a non-empty list of steps, not ${Array.isArray(steps) ? 'an empty list' : describe(steps)}`);
    } else {
      const stepNames = new Map<string, number>();
      const loopNames = new Map<string, number>();
      steps.forEach((step, i) => this.checkStep(step, childPath(childPath(path, 'steps'), i), i, typeof name === 'string' ? name : '?', stepNames, loopNames, record));
    }
  }

  private checkStep(
    step: unknown, path: string, stepIndex: number, phaseName: string,
    stepNames: Map<string, number>, loopNames: Map<string, number>, record: PhaseRecord | undefined,
  ): void {
    if (!isMap(step)) {
      this.findings.error(path, `must be a map with name, action and inputs, not ${describe(step)}`);
      return;
    }
    checkKeys(this.findings, step, path, STEP_KEYS, 'a step', STEP_KEY_ALIASES);
    this.checkStepName(step.name, path, phaseName, stepIndex, stepNames);
    const spec = this.checkAction(step.action, path);
    this.checkTimeout(step.timeoutSeconds, path, spec);
    this.checkOnFailure(step.onFailure, path);
    this.checkMaxAttempts(step.maxAttempts, path, spec);
    if (step.loop !== undefined) {
      checkLoop(this.findings, step.loop, childPath(path, 'loop'), loopNames, stepIndex);
    }
    if (step.if !== undefined && !isMap(step.if)) {
      this.findings.error(childPath(path, 'if'), `must be a map holding one condition, like { stringEquals: 'x', value: '{{ MyParameter }}' }, not ${describe(step.if)}`);
    }
    if (spec) {
      validateInputs(this.findings, spec, step.inputs, path, this.platform);
      this.checkPlatform(spec, path);
    }
    if (record) {
      this.checkStepExpressions(step, path, record, stepIndex);
    }
  }

  private checkStepName(name: unknown, path: string, phaseName: string, stepIndex: number, names: Map<string, number>): void {
    const namePath = childPath(path, 'name');
    if (name === undefined) {
      this.findings.error(path, 'has no name: every step needs a name of letters, digits, \'-\' and \'_\', unique in its phase');
      return;
    }
    if (typeof name !== 'string') {
      reportNotAString(this.findings, namePath, name);
      return;
    }
    if (!TOE_NAME.test(name) && !isUnresolved(name)) {
      this.findings.error(namePath, `'${name}' is not a usable step name: use 1 to 128 letters, digits, '-' and '_' `
        + '(chaining expressions address steps as <phase>.<step>, so dots, spaces and braces cannot be referred to)');
    }
    if (names.has(name)) {
      this.findings.error(namePath, `'${name}' is used twice in phase '${phaseName}': step names must be unique within a phase `
        + `(steps[${names.get(name)}] has it already)`);
    } else {
      names.set(name, stepIndex);
    }
  }

  private checkAction(action: unknown, path: string): ToeActionSpec | undefined {
    const actionPath = childPath(path, 'action');
    if (action === undefined) {
      this.findings.error(path, 'has no action: give the action module that runs the step, like action: ExecuteBash');
      return undefined;
    }
    if (typeof action !== 'string') {
      reportNotAString(this.findings, actionPath, action);
      return undefined;
    }
    const spec = toeAction(action);
    if (!spec && !isUnresolved(action)) {
      this.findings.error(actionPath, `'${action}' is not an AWSTOE action module: ${unknownActionHint(action)}`);
    }
    return spec;
  }

  private checkTimeout(timeout: unknown, path: string, spec: ToeActionSpec | undefined): void {
    if (timeout === undefined || isUnresolved(timeout)) {
      return;
    }
    const timeoutPath = childPath(path, 'timeoutSeconds');
    if (spec?.timeout === 'unsupported') {
      this.findings.error(timeoutPath, `is not supported by the ${spec.name} action (the instance restarts, so the step cannot time out): remove it`);
    } else if (!Number.isInteger(timeout)) {
      this.findings.error(timeoutPath, `must be a whole number of seconds, or -1 for no limit, not ${describe(timeout)}`);
    } else if (spec?.timeout === 'unlimitedOnly' && timeout !== -1) {
      this.findings.error(timeoutPath, `must be -1 or left out: ${spec.name} always runs without a time limit and rejects other values`);
    } else if ((timeout as number) === 0 || (timeout as number) < -1) {
      this.findings.error(timeoutPath, `must be a positive number of seconds, or -1 for no limit, not ${timeout}`);
    }
  }

  private checkOnFailure(onFailure: unknown, path: string): void {
    if (onFailure !== undefined && !(TOE_ON_FAILURE_VALUES as readonly unknown[]).includes(onFailure) && !isUnresolved(onFailure)) {
      const hint = typeof onFailure === 'string' ? didYouMean(onFailure, TOE_ON_FAILURE_VALUES) : '';
      this.findings.error(childPath(path, 'onFailure'), `must be Abort, Continue or Ignore, not ${describe(onFailure)}${hint}`);
    }
  }

  private checkMaxAttempts(maxAttempts: unknown, path: string, spec: ToeActionSpec | undefined): void {
    if (maxAttempts === undefined || isUnresolved(maxAttempts)) {
      return;
    }
    const attemptsPath = childPath(path, 'maxAttempts');
    if (!Number.isInteger(maxAttempts) || (maxAttempts as number) < 1) {
      this.findings.error(attemptsPath, `must be a whole number of at least 1, not ${describe(maxAttempts)}`);
    } else if (spec?.singleAttempt && maxAttempts !== 1) {
      this.findings.error(attemptsPath, `must be 1 or left out: ${spec.name} runs once and rejects retries`);
    }
  }

  private checkStepExpressions(step: Record<string, unknown>, path: string, phase: PhaseRecord, stepIndex: number): void {
    if (step.inputs !== undefined) {
      checkExpressions(this.findings, this.index, { phase, stepIndex, section: 'inputs' }, step.inputs, childPath(path, 'inputs'));
    }
    if (isMap(step.loop) && step.loop.forEach !== undefined) {
      const loopPath = childPath(childPath(path, 'loop'), 'forEach');
      const values = isMap(step.loop.forEach) && !unquotedExpression(step.loop.forEach) ? { list: step.loop.forEach.list } : step.loop.forEach;
      checkExpressions(this.findings, this.index, { phase, stepIndex, section: 'loop' }, values, loopPath);
    }
    if (step.if !== undefined) {
      checkExpressions(this.findings, this.index, { phase, stepIndex, section: 'if' }, step.if, childPath(path, 'if'));
    }
  }

  private checkPlatform(spec: ToeActionSpec, path: string): void {
    if (this.platform && !spec.platforms.includes(this.platform)) {
      const alternative = spec.alternative ? `: use ${spec.alternative}` : '';
      this.findings.error(childPath(path, 'action'), `'${spec.name}' runs only on ${listWords([...spec.platforms])}, but the component is for ${this.platform}`
        + `${alternative}, or build the component for ${listWords([...spec.platforms])}`);
    }
  }

  /** Without a platform to check against, a document is still wrong when no platform can run all of it. */
  private checkPlatformsAgree(doc: Record<string, unknown>): void {
    if (!Array.isArray(doc.phases) || documentPlatforms(doc as unknown as ToeDocument).length > 0) {
      return;
    }
    const byPlatform = new Map<ToePlatform, string[]>();
    doc.phases.forEach((phase, p) => {
      const steps = isMap(phase) && Array.isArray(phase.steps) ? phase.steps : [];
      steps.forEach((step, s) => {
        for (const platform of TOE_PLATFORMS) {
          if (!stepRunsOn(step, platform)) {
            const list = byPlatform.get(platform) ?? [];
            list.push(`phases[${p}].steps[${s}]`);
            byPlatform.set(platform, list);
          }
        }
      });
    });
    const windowsOnly = (byPlatform.get('Linux') ?? []).slice(0, 3);
    const linuxOnly = (byPlatform.get('Windows') ?? []).slice(0, 3);
    this.findings.error('phases', `mix steps that run only on Linux (${listWords(linuxOnly)}) with steps that run only on Windows `
      + `(${listWords(windowsOnly)}): no platform can run this document, so split it into one component per platform`);
  }
}

/** The phases with a valid, first-seen name, and what chaining and loop checks need from their steps. */
function indexPhases(phases: unknown): PhaseRecord[] {
  if (!Array.isArray(phases)) {
    return [];
  }
  const records: PhaseRecord[] = [];
  phases.forEach((phase, position) => {
    if (!isMap(phase) || typeof phase.name !== 'string' || !(TOE_PHASE_NAMES as readonly string[]).includes(phase.name)) {
      return;
    }
    if (records.some(record => record.name === phase.name)) {
      return;
    }
    const steps: StepRecord[] = (Array.isArray(phase.steps) ? phase.steps : []).map(step => {
      const map = isMap(step) ? step : {};
      const loop = isMap(map.loop) ? map.loop : undefined;
      return {
        name: typeof map.name === 'string' ? map.name : undefined,
        action: typeof map.action === 'string' ? map.action : undefined,
        inputs: map.inputs,
        hasLoop: loop !== undefined,
        loopName: typeof loop?.name === 'string' ? loop.name : undefined,
      };
    });
    records.push({ name: phase.name as ToePhaseName, position, steps });
  });
  return records;
}

function unknownActionHint(action: string): string {
  if (/^install(package|packages|software)?$/i.test(action)) {
    return 'there is no package install action; install packages with ExecuteBash (dnf, yum or apt-get), '
      + 'InstallMSI on Windows, or an AWS-managed component';
  }
  const closest = closestToeAction(action);
  return closest
    ? `did you mean '${closest}'? (action names are case-sensitive)`
    : 'see "Action modules supported by AWSTOE component manager" in the Image Builder user guide for the list';
}
