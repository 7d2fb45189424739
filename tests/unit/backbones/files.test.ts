import { cpSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { findBackbone } from '../../../src-main/backbones/catalog'
import { catalogFolder, defaultCutLayer, readModelFolder, verifyBackbone, type BackboneSource } from '../../../src-main/backbones/files'
import { tempDir } from '../../helpers/images'

const included = findBackbone('mobilenet-v2-0.35')!
let dir: ReturnType<typeof tempDir>
afterEach(() => dir?.cleanup())

/** A copy of the included backbone, checked against the catalog's sums. */
function copy(): BackboneSource {
  dir = tempDir()
  cpSync(catalogFolder(included, '/unused'), dir.path, { recursive: true })
  return {
    id: included.id,
    title: included.title,
    dir: dir.path,
    embeddingLayer: included.embeddingLayer,
    blocks: included.blocks,
    sha256: included.sha256!,
    key: 'k',
    remedy: 'Reinstall Osprey Studio to restore it.'
  }
}

describe('the included backbone', () => {
  it('ships whole: its files match the checksums the catalog pins', async () => {
    await expect(verifyBackbone(copy())).resolves.toBeUndefined()
  })

  it('is refused with a plain message, not loaded, when a file is damaged or missing', async () => {
    const source = copy()
    const weights = join(source.dir, 'weights.bin')
    writeFileSync(weights, Buffer.from('not the weights'))
    await expect(verifyBackbone(source)).rejects.toThrow(
      'The backbone MobileNetV2 α 0.35 is damaged: weights.bin in ' + source.dir + ' does not match its checksum. Reinstall Osprey Studio to restore it.'
    )
    await expect(verifyBackbone({ ...source, dir: join(source.dir, 'gone') })).rejects.toThrow(/is incomplete: model.json is missing/)
  })
})

describe("a model folder of the user's", () => {
  it('lists its layers and is cut by default before its classifier', async () => {
    const model = await readModelFolder(copy().dir)
    expect(model.layers[0]).toEqual({ name: 'input_1', kind: 'InputLayer' })
    expect(defaultCutLayer(model.layers)).toBe('out_relu') // no classifier: the last layer
    expect(
      defaultCutLayer([
        { name: 'in', kind: 'InputLayer' },
        { name: 'conv', kind: 'Conv2D' },
        { name: 'relu', kind: 'ReLU' },
        { name: 'pool', kind: 'GlobalAveragePooling2D' },
        { name: 'logits', kind: 'Dense' }
      ])
    ).toBe('relu')
  })

  it('is refused when its weights are cut short, missing, or it is not a layers model', async () => {
    const source = copy()
    truncateSync(join(source.dir, 'weights.bin'), 1000)
    await expect(readModelFolder(source.dir)).rejects.toThrow(/hold 1000 bytes where model.json describes 1640832: they are incomplete/)
    writeFileSync(join(source.dir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } }))
    await expect(readModelFolder(source.dir)).rejects.toThrow(/graph model or no layers: a backbone must be a layers model/)
    await expect(readModelFolder(join(source.dir, 'nothing'))).rejects.toThrow(/holds no model.json/)
  })
})
