#!/usr/bin/python3
"""Optuna anchor for the mixed space of bench/objectives/mixed.ts (same function, same space).

  /usr/bin/python3 bench/reference/optuna_mixed.py --sampler tpe --trials 40 --seeds 20

Prints one JSON line in the shape of ../shared/reference/optuna_ref.py (median and quartiles of
the simple regret after 10, 20, 30, 40 trials). Keep the function in step with mixed.ts.
"""
import argparse, json, math
import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

BEST_LOG_LR = {'adam': -3, 'rmsprop': -2.5, 'sgd': -1.5}
PENALTY = {'adam': 0, 'rmsprop': 0.15, 'sgd': 0.3}


def objective(trial):
    lr = trial.suggest_float('lr', 1e-5, 1, log=True)
    units = trial.suggest_int('units', 8, 1024, log=True)
    opt = trial.suggest_categorical('optimizer', ['sgd', 'adam', 'rmsprop'])
    dropout = trial.suggest_float('dropout', 0, 0.6, step=0.1)
    width = math.log2(units) - 7
    lr_off = math.log10(lr) - (BEST_LOG_LR[opt] - 0.25 * width)
    return 0.5 * lr_off ** 2 + 0.1 * (1 - math.cos(2 * math.pi * lr_off)) + 0.08 * width ** 2 + 2 * (dropout - 0.3) ** 2 + PENALTY[opt]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sampler', default='tpe', choices=['tpe', 'random'])
    ap.add_argument('--trials', type=int, default=40)
    ap.add_argument('--seeds', type=int, default=20)
    a = ap.parse_args()
    curves = []
    for seed in range(a.seeds):
        sampler = optuna.samplers.TPESampler(seed=seed) if a.sampler == 'tpe' else optuna.samplers.RandomSampler(seed=seed)
        study = optuna.create_study(direction='minimize', sampler=sampler)
        study.optimize(objective, n_trials=a.trials)
        curves.append(np.minimum.accumulate([t.value for t in study.trials]))
    curves = np.array(curves)
    out = {'anchor': f'optuna-{optuna.__version__}-{a.sampler}', 'function': 'mixed', 'seeds': a.seeds, 'trials': a.trials,
           'known_minimum': 0, 'median_regret': {}, 'iqr_regret': {}}
    for c in sorted({c for c in (10, 20, 30, 40) if c <= a.trials} | {a.trials}):
        regret = curves[:, c - 1]
        out['median_regret'][c] = round(float(np.median(regret)), 5)
        out['iqr_regret'][c] = [round(float(np.percentile(regret, 25)), 5), round(float(np.percentile(regret, 75)), 5)]
    print(json.dumps(out))


if __name__ == '__main__':
    main()
