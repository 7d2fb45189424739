/** The Tune form's choices and their one-line explanations, in the user's words. */
import type { Objective, PrunerName, StrategyName } from '../../../src-main/contract'
import type { Choice } from './trainingText'

/** How a Study proposes Trials. */
export const strategies: Choice<StrategyName>[] = [
  { value: 'grid', label: 'Grid', hint: 'Tries every combination once, in a shuffled order: thorough, but the count multiplies with each hyperparameter.' },
  { value: 'random', label: 'Random', hint: 'Samples the space at random (seeded): a strong baseline that copes with many hyperparameters.' },
  { value: 'bayesian', label: 'Bayesian', hint: 'Learns from finished Trials which settings look promising and tries those next: fewest Trials to a good result.' }
]

/** How a Study stops unpromising Trials early. */
export const pruners: Choice<PrunerName>[] = [
  { value: 'none', label: 'None', hint: 'Every Trial trains all its Epochs.' },
  { value: 'median', label: 'Median', hint: 'Stops a Trial whose validation result after an Epoch is worse than the median of earlier Trials at that Epoch.' },
  { value: 'asha', label: 'ASHA', hint: 'Successive halving: at a few checkpoint Epochs only the best fraction of Trials goes on. Saves the most time.' }
]

/** What a Study optimizes. */
export const objectives: Choice<Objective>[] = [
  { value: 'valAccuracy', label: 'Maximize validation accuracy', hint: 'The share of held-out images the model gets right.' },
  { value: 'valLoss', label: 'Minimize validation loss', hint: 'How confident and right the model is on held-out images; finer-grained than accuracy.' }
]
