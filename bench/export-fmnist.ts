/**
 * `tsx bench/export-fmnist.ts DIR [LIMIT]`: exports the Fashion-MNIST train split (or its first
 * LIMIT images) to DIR as class folders and prints `{"dir":...,"images":...}`.
 * bench/scan.ts runs it in a child process so that the export's memory (the decoded IDX file,
 * sharp's encoders) never counts in the bench process's peak RSS.
 */
import { exportFashionMnist } from './fashion-mnist'

const [dir, limit] = process.argv.slice(2)
if (!dir) {
  console.error('usage: tsx bench/export-fmnist.ts DIR [LIMIT]')
  process.exit(2)
}
exportFashionMnist(dir, { split: 'train', limit: limit ? Number(limit) : undefined }).then(
  (result) => console.log(JSON.stringify(result)),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  }
)
