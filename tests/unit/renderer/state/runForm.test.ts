/** The New Run form's state (RunForm) over a fake client: what it says before Start. */
import { describe, expect, it } from 'vitest'
import type { DatasetListItem, RunEstimate, TrainingConfig } from '../../../../src-main/contract'
import { RunForm, validate } from '../../../../src-renderer/src/lib/runForm.svelte'
import { FakeClient, settle } from '../../../helpers/fake-client'

const dataset: DatasetListItem = {
  id: 1,
  name: 'shapes',
  path: '/data/shapes',
  images: 180,
  classes: 3,
  errors: 0,
  warnings: 0,
  fingerprint: 'f',
  scannedAt: '2026-12-01T10:00:00Z',
  untrainable: null
}
const augmentation = { flipHorizontal: true, flipVertical: false, rotation: 0, scale: 1, translate: 0, brightness: 0, contrast: 0, saturation: 0, hue: 0, blur: 0, noise: 0, erasing: 0 }
const defaults: TrainingConfig = {
  folder: '/data/shapes',
  model: 'pretrained',
  imageSize: 224,
  epochs: 30,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.001,
  weightDecay: 0,
  schedule: 'cosine',
  earlyStopping: 5,
  normalization: 'symmetric',
  augmentation,
  validationSplit: null,
  testSplit: null,
  seed: 7,
  backend: 'auto',
  backbone: 'mobilenet-v2-0.35'
}
const estimate: RunEstimate = {
  totalMs: 18_000,
  steps: [{ label: 'Computing the features of 180 images (once for this Dataset)', ms: 9000, once: true }],
  backend: 'wasm',
  replicas: 1,
  cores: 2,
  long: false,
  advice: null
}

async function form(client = new FakeClient()): Promise<{ form: RunForm; client: FakeClient }> {
  client.answer('runs.defaults', () => structuredClone(defaults))
  client.answer('runs.estimate', () => estimate)
  const f = new RunForm(client)
  await f.choose(dataset)
  return { form: f, client }
}

describe('the New Run form', () => {
  it("says what differs from the Dataset's defaults (what a last Run left), and Start from defaults clears it", async () => {
    const { form: f } = await form()
    expect(f.changed).toEqual([])
    f.config!.epochs = 12
    f.config!.augmentation.rotation = 15
    expect(f.changed).toEqual([
      { name: 'Epochs', value: '12', default: '30' },
      { name: 'Augmentation: rotation', value: '15', default: '0' }
    ])
    f.reset()
    expect(f.changed).toEqual([])
  })

  it('asks for an estimate once typing pauses, and only for the settings as they are', async () => {
    const { form: f, client } = await form()
    f.requestEstimate(0)
    expect(f.estimating).toBe(true)
    await settle()
    await settle()
    expect(f.estimate?.totalMs).toBe(18_000)
    expect(client.requests('runs.estimate')).toHaveLength(1)
    // Changed settings: the old estimate no longer applies until a new one arrives.
    f.config!.epochs = 3
    expect(f.estimate).toBeNull()
    f.requestEstimate(0)
    f.requestEstimate(0) // a second ask while typing replaces the first
    await settle()
    await settle()
    expect(client.requests('runs.estimate')).toHaveLength(2)
    expect(client.requests('runs.estimate')[1].config.epochs).toBe(3)
  })

  it('words its limits with the right number', () => {
    expect(validate({ ...defaults, batchSize: 5000 }).batchSize).toBe('At most 4096 images per batch.')
    expect(validate({ ...defaults, batchSize: 0 }).batchSize).toBe('At least 1 image per batch.')
    expect(validate({ ...defaults, epochs: 0 }).epochs).toBe('At least 1 Epoch.')
  })

  it('sends a time limit only when one is given, and checks it', async () => {
    const scratch: TrainingConfig = { ...defaults, model: 'default-cnn', normalization: 'standardize', backbone: undefined }
    expect(validate({ ...scratch, timeLimitMinutes: 0 }).timeLimitMinutes).toBe('Must be above 0.')
    expect(validate({ ...scratch, timeLimitMinutes: 2000 }).timeLimitMinutes).toBe('At most 1440.')
    expect(validate({ ...scratch, timeLimitMinutes: null as unknown as number }).timeLimitMinutes).toBeUndefined()
    const client = new FakeClient()
    client.answer('runs.start', () => ({}) as never)
    const { form: f } = await form(client)
    f.config = { ...scratch, timeLimitMinutes: 2.5 }
    expect(f.changed).toContainEqual({ name: 'Time limit (minutes)', value: '2.5', default: 'none' })
    await f.submit()
    expect(client.requests('runs.start')[0].config.timeLimitMinutes).toBe(2.5)
    // An emptied field (the input gives null) is no limit at all, not a wrong one.
    f.config = { ...scratch, timeLimitMinutes: null as unknown as number }
    expect(f.valid).toBe(true)
    await f.submit()
    expect(client.requests('runs.start')[1].config).not.toHaveProperty('timeLimitMinutes')
  })

  it("waits for another model's or Dataset's defaults before it starts a Run: not the new model at the old one's image size, nor the old Dataset", async () => {
    const client = new FakeClient()
    client.answer('runs.start', () => ({}) as never)
    const { form: f } = await form(client)
    // The server is slow to answer (seen in a test run under load): the reference CNN's defaults are on their way.
    let land!: () => void
    const landed = new Promise<void>((resolve) => (land = resolve))
    client.answer('runs.defaults', async () => (await landed, { ...structuredClone(defaults), model: 'reference-cnn', imageSize: 32, normalization: 'standardize', backbone: undefined }))
    f.config!.model = 'reference-cnn' // the select, bound to the config
    const switched = f.chooseModel('reference-cnn')
    expect(f.loading).toBe(true)
    expect(await f.submit()).toBeNull()
    expect(client.requests('runs.start')).toHaveLength(0)
    land()
    await switched
    expect(f.loading).toBe(false)
    await f.submit()
    expect(client.requests('runs.start')[0].config).toMatchObject({ model: 'reference-cnn', imageSize: 32 })

    // The same for another Dataset: until its defaults land, the settings are still the first one's.
    const birds: DatasetListItem = { ...dataset, id: 2, name: 'birds', path: '/data/birds' }
    let landBirds!: () => void
    const birdsLanded = new Promise<void>((resolve) => (landBirds = resolve))
    client.answer('runs.defaults', async () => (await birdsLanded, { ...structuredClone(defaults), folder: '/data/birds' }))
    const chosen = f.choose(birds, true)
    expect(await f.submit()).toBeNull()
    expect(client.requests('runs.start')).toHaveLength(1)
    landBirds()
    await chosen
    await f.submit()
    expect(client.requests('runs.start')[1].config.folder).toBe('/data/birds')
  })

  it('follows the Datasets list without leaving its Dataset when another one is rescanned to the top', async () => {
    const { form: f } = await form()
    f.config!.epochs = 12 // typed by the user
    const birds: DatasetListItem = { ...dataset, id: 2, name: 'birds', path: '/data/birds', scannedAt: '2026-12-01T11:00:00Z' }
    // A Trial on birds rescanned it: birds is now first in the list; nothing is open in the Datasets room.
    f.follow([birds, { ...dataset, images: 181 }], null)
    await settle()
    expect(f.dataset).toMatchObject({ id: 1, images: 181 }) // the same Dataset, with its fresher figures
    expect(f.config!.epochs).toBe(12)
    // A Dataset opened in the Datasets room is followed; a form with none starts on the newest trainable.
    f.follow([birds, dataset], { id: 2 })
    await settle()
    expect(f.dataset?.id).toBe(2)
    const fresh = new RunForm(new FakeClient())
    fresh.follow([{ ...birds, untrainable: 'only one class' }, dataset], null)
    expect(fresh.dataset?.id).toBe(1)
  })
})
