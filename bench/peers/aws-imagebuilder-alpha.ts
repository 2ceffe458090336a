import * as imagebuilder from '@aws-cdk/aws-imagebuilder-alpha';
import { ImageBuilder } from '../bench-case';
import { COMPONENT_YAML } from '../benchmark-image';

/**
 * The official Image Builder L2 (experimental): a component, a recipe on the managed
 * Amazon Linux 2023 image, and a deploy-time `Image`. Infrastructure and distribution
 * configurations, and the instance role and profile, come from the `Image` defaults.
 */
export const awsImagebuilderAlpha: ImageBuilder = (stack, index) => {
  const component = new imagebuilder.Component(stack, `Component${index}`, {
    platform: imagebuilder.Platform.LINUX,
    data: imagebuilder.ComponentData.fromInline(COMPONENT_YAML),
  });
  const parent = imagebuilder.AmazonManagedImage.amazonLinux2023(stack, `Al2023${index}`, {
    imageType: imagebuilder.ImageType.AMI,
    imageArchitecture: imagebuilder.ImageArchitecture.X86_64,
  });
  const recipe = new imagebuilder.ImageRecipe(stack, `Recipe${index}`, {
    baseImage: imagebuilder.BaseImage.fromImage(parent),
    components: [{ component }],
  });
  new imagebuilder.Image(stack, `Image${index}`, { recipe });
};
