/** The loader's worker thread: makes batches on the second core while the trainer uses the first. */
import { parentPort } from 'node:worker_threads'
import { BatchMaker, type Batch, type BatchSettings } from './batch'
import { ImageCache, type SharedCache } from './image-cache'

/** Messages the loader sends to its worker. */
export type ToLoaderWorker = { type: 'init'; cache: SharedCache; labels: Int32Array; settings: BatchSettings } | { type: 'make'; id: number; indices: Int32Array; epoch: number; augment: boolean }

/** Messages the worker sends back: a batch (its buffers transferred) or why it failed. */
export type FromLoaderWorker = ({ type: 'batch'; id: number } & Batch) | { type: 'failed'; id: number; message: string }

const port = parentPort
if (!port) throw new Error('loader-worker.ts runs only as a worker thread.')

let maker: Promise<BatchMaker> | null = null

port.on('message', (message: ToLoaderWorker) => {
  if (message.type === 'init') {
    maker = ImageCache.fromShared(message.cache).then((cache) => new BatchMaker(cache, message.labels, message.settings))
    return
  }
  const { id, indices, epoch, augment } = message
  // BatchMaker makes batches one after another, in the order asked: replies come in order.
  void (async () => {
    try {
      if (!maker) throw new Error('The loader worker was not initialised.')
      const batch = await (await maker).make(indices, epoch, augment)
      const reply: FromLoaderWorker = { type: 'batch', id, ...batch }
      port.postMessage(reply, [batch.x.buffer, batch.y.buffer, batch.indices.buffer])
    } catch (e) {
      port.postMessage({ type: 'failed', id, message: String((e as Error)?.message ?? e) } satisfies FromLoaderWorker)
    }
  })()
})
