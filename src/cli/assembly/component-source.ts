import * as fs from 'fs';
import { CloudAssembly } from './cloud-assembly';
import { IntrinsicContext, resolveString } from './intrinsics';
import { usageError } from '../core/cli-error';

/**
 * An Image Builder component's AWSTOE document as synthesised: its inline `Data` with the
 * intrinsics resolved, or the staged file its `Uri` names (documents over the inline limit).
 * Throws UnresolvableError for a value known only once deployed; `where` names the component
 * in messages.
 */
export function componentDocumentText(assembly: CloudAssembly, properties: Record<string, unknown>, where: string,
  context: IntrinsicContext): string {
  if (properties.Data !== undefined) {
    return resolveString(properties.Data, context);
  }
  if (properties.Uri !== undefined) {
    const uri = resolveString(properties.Uri, context);
    const asset = assembly.assets.get(uri);
    if (!asset || asset.packaging !== 'file' || !fs.existsSync(asset.source)) {
      throw usageError(`${where}: its document is at ${uri}, which is not a file staged in ${assembly.directory}: synthesise the app again`);
    }
    return fs.readFileSync(asset.source, 'utf-8');
  }
  throw usageError(`${where} has neither Data nor Uri: synthesise the app again`);
}
