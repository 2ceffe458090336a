/**
 * The AWS SDK clients vagrant-box uses, bundled apart from the command line (see `.projenrc.ts`):
 * they are three times the size of everything else in it, and every command would pay to load
 * them at start-up. Load them with `loadAwsClients()`.
 */
export { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
export { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
