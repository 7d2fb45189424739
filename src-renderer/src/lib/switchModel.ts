/** Switching the New Run form to another model. Pure, so it is tested without a browser. */
import type { TrainingConfig } from '../../../src-main/contract'

/**
 * The settings after switching from the defaults `before` to `after` (another model's): what the
 * user changed stays; the rest becomes the new model's (image size, batch, normalization, head…);
 * a setting only the old model has goes.
 */
export function switchModel(config: TrainingConfig, before: TrainingConfig, after: TrainingConfig): TrainingConfig {
  const next: Record<string, unknown> = { ...after }
  for (const [key, value] of Object.entries(config)) {
    // A time limit is the user's alone (no defaults have one): it stays while the model trains from scratch.
    if (key === 'timeLimitMinutes' && after.model !== 'pretrained' && value != null) next[key] = value
    if (key === 'model' || key === 'folder' || !(key in after)) continue
    const edited = JSON.stringify(value) !== JSON.stringify((before as unknown as Record<string, unknown>)[key])
    if (edited) next[key] = value
  }
  return next as unknown as TrainingConfig
}
