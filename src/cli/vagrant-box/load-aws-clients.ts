import * as path from 'path';

type AwsClients = typeof import('./aws-clients');

/**
 * The SDK clients, from their own bundle beside the command line's (assets/cli/vagrant-box/
 * aws-clients/index.js) when running as the shipped bundle, else from the source. The path is
 * computed so that esbuild leaves the clients out of the command line's bundle.
 */
export function loadAwsClients(): AwsClients {
  const bundled = path.basename(__filename) === 'index.js';
  const module = bundled ? path.join(__dirname, '..', 'vagrant-box', 'aws-clients', 'index.js') : path.join(__dirname, 'aws-clients');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(module) as AwsClients;
}
