/**
 * The pretrained backbones a Run can start from: one ships with the app, larger ones are
 * downloaded on first use from where their makers publish them (TF.js layers models, so they
 * can be fine-tuned). Pure data; where the files are is ./files.ts.
 */

/** A pretrained image network that a Run can use as its feature extractor. */
export interface BackboneInfo {
  id: string
  title: string
  /** One line for the Train form. */
  description: string
  /** Included with the app, or downloaded on first use. */
  source: 'included' | 'download'
  /** model.json's address (downloads only); weight files are fetched beside it. */
  url?: string
  /** Size of its files in bytes: exact when included, approximate for a download. */
  bytes: number
  /** SHA-256 of each file, when known before it is fetched (a download pins them on arrival). */
  sha256?: Record<string, string>
  /** The input size it was trained at (other sizes work; this one is the default). */
  inputSize: number
  /** The layer whose output, averaged over the image, is the embedding. */
  embeddingLayer: string
  /** The blocks fine-tuning may unfreeze, from the input to the output: a pattern over layer names each. */
  blocks: string[]
  licence: string
}

/** The backbone a Run uses unless told otherwise: small, included, good on photos. */
export const DEFAULT_BACKBONE = 'mobilenet-v2-0.35'

// MobileNetV2's 16 inverted-residual blocks, then its last 1×1 convolution (Keras layer names).
const MOBILENET_V2_BLOCKS = [...Array.from({ length: 16 }, (_, i) => `^block_${i + 1}_`), '^(Conv_1|out_relu)']
// MobileNet v1's 13 depthwise-separable blocks (its padding layers carry no weights).
const MOBILENET_V1_BLOCKS = Array.from({ length: 13 }, (_, i) => `^conv_(dw|pw)_${i + 1}(_|$)`)

// The MobileNetV2 ImageNet weights of Keras Applications in TF.js form, as Google's Teachable Machine publishes them.
const TEACHABLE_MACHINE = 'https://storage.googleapis.com/teachable-machine-models'
const mobilenetV2 = (alpha: string, bytes: number): BackboneInfo => ({
  id: `mobilenet-v2-${alpha === '1.00' ? '1.0' : alpha}`,
  title: `MobileNetV2 α ${alpha === '1.00' ? '1.0' : alpha}`,
  description: `ImageNet-pretrained, ${alpha === '1.00' ? 'full width' : `${Number(alpha) * 100}% width`}: more accurate than α 0.35, slower to embed and fine-tune.`,
  source: 'download',
  url: `${TEACHABLE_MACHINE}/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${alpha}_224_no_top/model.json`,
  bytes,
  inputSize: 224,
  embeddingLayer: 'out_relu',
  blocks: MOBILENET_V2_BLOCKS,
  licence: 'Apache-2.0'
})

/** Every backbone the studio knows, the included one first. */
export const BACKBONES: readonly BackboneInfo[] = [
  {
    id: DEFAULT_BACKBONE,
    title: 'MobileNetV2 α 0.35',
    description: 'ImageNet-pretrained, 1.6 MB, included: fast on a CPU and strong on photos.',
    source: 'included',
    bytes: 98_913 + 1_640_832,
    sha256: {
      'model.json': '7ea908346f464693f41e6106f68347668728ea0181a2ba5b59d05fc9cefdb10e',
      'weights.bin': 'e159deb3afa15bc63a53edb3eb31d0d6de1a25f0d8d72d9b8372b5088a902a8a'
    },
    inputSize: 224,
    embeddingLayer: 'out_relu',
    blocks: MOBILENET_V2_BLOCKS,
    licence: 'Apache-2.0'
  },
  mobilenetV2('0.50', 2_900_000),
  mobilenetV2('0.75', 5_700_000),
  mobilenetV2('1.00', 9_200_000),
  {
    id: 'mobilenet-v1-1.0',
    title: 'MobileNet v1 α 1.0',
    description: 'ImageNet-pretrained, the original MobileNet (TensorFlow.js models): larger embeddings, no residual blocks.',
    source: 'download',
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json',
    bytes: 17_000_000,
    inputSize: 224,
    embeddingLayer: 'conv_pw_13_relu',
    blocks: MOBILENET_V1_BLOCKS,
    licence: 'Apache-2.0'
  }
]

/** The catalog entry `id`, or undefined. */
export function findBackbone(id: string): BackboneInfo | undefined {
  return BACKBONES.find((b) => b.id === id)
}

/** Whether a Run's `backbone` setting names a model folder of the user's rather than a catalog entry. */
export function isCustomBackbone(backbone: string): boolean {
  return backbone.startsWith('/') || /^[A-Za-z]:[\\/]/.test(backbone)
}
