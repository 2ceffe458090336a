import * as fs from 'fs';
import * as path from 'path';
import { ActionEmulator, eachOperation, flag, text } from './action';
import { guestFile } from './guest-files';
import { zipFolder } from './zip-folder';

/**
 * S3Download, served from the assets `cdk synth` staged in the cloud assembly: what reaches the
 * guest is the object S3 would hold (a folder asset as the zip CDK uploads). A location that is
 * not one of the app's assets fails the step: bake-local has no AWS credentials and reads no
 * bucket. As on AWS, the destination's folder must exist; a destination ending with a separator
 * (or an existing folder) keeps the object's name.
 */
export const s3Download: ActionEmulator = {
  run: context => eachOperation(context.inputs, op => {
    const source = text(op.source, 'source');
    const asset = context.assets[source];
    if (!asset) {
      const hint = source.includes('*') ? 'downloading a key prefix (*) is not emulated' : 'it is not one of this app\'s staged assets';
      throw new Error(`S3Download of ${source}: ${hint}; bake-local serves only the assets in the cloud assembly and reads no bucket`);
    }
    const destination = text(op.destination, 'destination');
    let target = guestFile(context, destination);
    if (/[\\/]$/.test(destination) || isFolder(target.hostPath)) {
      target = guestFile(context, path.posix.join(target.guestPath, path.posix.basename(source)));
    }
    if (!isFolder(path.dirname(target.hostPath))) {
      throw new Error(`S3Download to ${target.guestPath}: the folder ${path.posix.dirname(target.guestPath)} does not exist (AWSTOE does not create it)`);
    }
    if (fs.existsSync(target.hostPath) && !flag(op.overwrite, true)) {
      throw new Error(`S3Download to ${target.guestPath}: it exists and overwrite is false`);
    }
    if (!fs.existsSync(asset.source)) {
      throw new Error(`S3Download of ${source}: its staged copy ${asset.source} is missing; synthesise the app again`);
    }
    const content = asset.packaging === 'zip' && isFolder(asset.source) ? zipFolder(asset.source) : fs.readFileSync(asset.source);
    fs.writeFileSync(target.hostPath, content, { mode: 0o644 });
    context.log(`S3Download ${source} -> ${target.guestPath} (${content.length} bytes, from ${asset.source})\n`);
  }),
};

function isFolder(hostPath: string): boolean {
  try {
    return fs.statSync(hostPath).isDirectory();
  } catch {
    return false;
  }
}
