import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ImagePipeline } from 'cdk-image-pipeline';
import { ImageBuilder } from '../bench-case';
import { al2023ParentArn, COMPONENT_YAML } from '../benchmark-image';

// cdk-image-pipeline reads each component document from a file path.
const documentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-image-pipeline-'));
process.on('exit', () => fs.rmSync(documentDir, { recursive: true, force: true }));
const document = path.join(documentDir, 'install-nginx.yml');
fs.writeFileSync(document, COMPONENT_YAML);

/**
 * cdk-image-pipeline (aws-samples): an image pipeline with our component. It has no
 * deploy-time image: the AMI comes from the pipeline's first run (manual or scheduled).
 */
export const cdkImagePipeline: ImageBuilder = (stack, index) => {
  new ImagePipeline(stack, `Pipeline${index}`, {
    components: [{ document, name: `install-nginx-${index}`, version: '1.0.0' }],
    parentImage: al2023ParentArn(stack),
  });
};
