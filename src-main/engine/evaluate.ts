/** Evaluation of a trained model: confusion matrix, per-class precision/recall/F1, top losses. */
import type * as tfjs from '@tensorflow/tfjs'
import type { Evaluation } from '../contract'
import type { StepBatch } from './step'

type Tf = typeof tfjs

/** Images to evaluate, in order, with their paths (for the mistakes gallery). */
export interface EvaluationData {
  classes: string[]
  /** One example's shape: [H, W, C] for images, [D] for embeddings. */
  inputShape: number[]
  batches(): AsyncIterable<StepBatch & { paths: string[] }>
}

/**
 * Class probabilities of images `x` ([N, H, W, C]). `mirror`: the mean of the image's and its
 * left–right mirror's, for a model trained with horizontal flips (it has learned both as one
 * class, so two looks are surer than one: Fashion-MNIST +0.15 to +0.37 points, docs/BENCHMARKS.md).
 */
export function classProbabilities(tf: Tf, model: tfjs.LayersModel, x: tfjs.Tensor, mirror = false): tfjs.Tensor {
  return tf.tidy(() => {
    const p = tf.softmax(model.apply(x, { training: false }) as tfjs.Tensor)
    return mirror ? p.add(tf.softmax(model.apply(tf.reverse(x, 2), { training: false }) as tfjs.Tensor)).div(2) : p
  })
}

/** Runs the model over `data` and summarizes how it does; `topLosses` keeps the worst `keep` mistakes; `mirror` as in classProbabilities. */
export async function evaluate(tf: Tf, model: tfjs.LayersModel, data: EvaluationData, split: Evaluation['split'], options: { keep?: number; mirror?: boolean } = {}): Promise<Evaluation> {
  const { keep = 24, mirror = false } = options
  const n = data.classes.length
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  const mistakes: Evaluation['topLosses'] = []
  let lossSum = 0
  let seen = 0
  for await (const batch of data.batches()) {
    const probabilities = tf.tidy(() => classProbabilities(tf, model, tf.tensor(batch.x, [batch.size, ...data.inputShape]), mirror))
    const p = await probabilities.data()
    probabilities.dispose()
    for (let i = 0; i < batch.size; i++) {
      const row = p.subarray(i * n, (i + 1) * n)
      const truth = batch.y[i]
      let predicted = 0
      for (let c = 1; c < n; c++) if (row[c] > row[predicted]) predicted = c
      const loss = -Math.log(Math.max(row[truth], 1e-12))
      lossSum += loss
      confusion[truth][predicted]++
      if (predicted !== truth) mistakes.push({ path: batch.paths[i], label: data.classes[truth], predicted: data.classes[predicted], confidence: row[predicted], loss })
    }
    seen += batch.size
    // Keep only the worst few as we go, so memory stays flat on large sets.
    if (mistakes.length > keep * 4) mistakes.sort((a, b) => b.loss - a.loss).splice(keep)
  }
  mistakes.sort((a, b) => b.loss - a.loss).splice(keep)
  return {
    split,
    classes: data.classes,
    confusion,
    perClass: perClass(data.classes, confusion),
    accuracy: trace(confusion) / Math.max(1, seen),
    loss: lossSum / Math.max(1, seen),
    topLosses: mistakes,
    ...(mirror ? { mirrored: true } : {})
  }
}

/** Precision, recall, F1 and support of each class, from a confusion matrix (rows = truth). */
export function perClass(classes: string[], confusion: number[][]): Evaluation['perClass'] {
  return classes.map((name, c) => {
    const truePositive = confusion[c][c]
    const support = confusion[c].reduce((a, b) => a + b, 0)
    const predicted = confusion.reduce((sum, row) => sum + row[c], 0)
    const precision = predicted ? truePositive / predicted : 0
    const recall = support ? truePositive / support : 0
    return { name, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support }
  })
}

function trace(m: number[][]): number {
  return m.reduce((sum, row, i) => sum + row[i], 0)
}
