import * as fs from 'fs';
import * as path from 'path';
import { checkTemplate, CheckTemplateOptions } from './check-template';
import { Finding } from './findings';

/** The findings of one stack's template. */
export interface StackFindings {
  /** The template file, relative to the assembly directory. */
  readonly templateFile: string;
  readonly findings: readonly Finding[];
}

/**
 * Checks every stack template of a cloud assembly directory (e.g. cdk.out/), including
 * nested assemblies (stages), by following the assembly manifests.
 */
export function checkAssembly(directory: string, options: CheckTemplateOptions = {}): StackFindings[] {
  const results: StackFindings[] = [];
  const visit = (dir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8')) as {
      artifacts?: Record<string, { type: string; properties?: { templateFile?: string; directoryName?: string } }>;
    };
    for (const artifact of Object.values(manifest.artifacts ?? {})) {
      if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
        const file = path.join(dir, artifact.properties.templateFile);
        const template: unknown = JSON.parse(fs.readFileSync(file, 'utf-8'));
        results.push({ templateFile: path.relative(directory, file), findings: checkTemplate(template, options) });
      } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
        visit(path.join(dir, artifact.properties.directoryName));
      }
    }
  };
  visit(directory);
  return results;
}
