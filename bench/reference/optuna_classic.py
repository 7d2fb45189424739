#!/usr/bin/python3
"""Optuna anchor for the classic test functions of bench/objectives/classic.ts (same functions,
same bounds; keep them in step).

  /usr/bin/python3 bench/reference/optuna_classic.py --sampler tpe --trials 40 --seeds 11 ackley-2 levy-4 ...

Prints one JSON line per function-dimensions, in the shape of ../shared/reference/optuna_ref.py
(median and quartiles of the simple regret after 10, 20, 30, 40 trials). Samplers with Optuna's
defaults, seeded by the seed number, as optuna_ref.py does.
"""
import argparse, json, math, time
import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def ackley(x):
    d = len(x)
    return -20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / d)) - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / d) + 20 + math.e


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    for i in range(len(w) - 1):
        s += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (x[i] - 1) ** 2 for i in range(len(x) - 1))


def styblinski_tang(x):
    return 0.5 * sum(v ** 4 - 16 * v ** 2 + 5 * v for v in x)


def michalewicz(x):
    return -sum(math.sin(v) * math.sin((i + 1) * v * v / math.pi) ** 20 for i, v in enumerate(x))


MICHALEWICZ_MIN = {2: -1.80130341, 5: -4.68765818, 10: -9.66015172}
FUNCTIONS = {
    # name: (low, high, function, minimum(d))
    'ackley': (-32.768, 32.768, ackley, lambda d: 0.0),
    'levy': (-10, 10, levy, lambda d: 0.0),
    'rosenbrock': (-5, 10, rosenbrock, lambda d: 0.0),
    'styblinski-tang': (-5, 5, styblinski_tang, lambda d: -39.16616570377142 * d),
    'michalewicz': (0, math.pi, michalewicz, lambda d: MICHALEWICZ_MIN[d]),
}


def sampler_for(name, seed):
    if name == 'tpe':
        return optuna.samplers.TPESampler(seed=seed)
    if name == 'random':
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f'unknown sampler {name}')


def run(fn_name, d, sampler, trials, seed):
    low, high, fn, _ = FUNCTIONS[fn_name]

    def objective(trial):
        return fn([trial.suggest_float(f'x{i}', low, high) for i in range(d)])

    study = optuna.create_study(direction='minimize', sampler=sampler_for(sampler, seed))
    study.optimize(objective, n_trials=trials)
    return np.minimum.accumulate([t.value for t in study.trials])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sampler', default='tpe')
    ap.add_argument('--trials', type=int, default=40)
    ap.add_argument('--seeds', type=int, default=11)
    ap.add_argument('problems', nargs='+', help='name-d, e.g. styblinski-tang-4')
    a = ap.parse_args()
    for problem in a.problems:
        name, d = problem.rsplit('-', 1)
        d = int(d)
        t0 = time.time()
        curves = np.array([run(name, d, a.sampler, a.trials, s) for s in range(a.seeds)])
        minimum = FUNCTIONS[name][3](d)
        out = {'anchor': f'optuna-{optuna.__version__}-{a.sampler}', 'function': problem, 'seeds': a.seeds, 'trials': a.trials,
               'known_minimum': minimum, 'median_regret': {}, 'iqr_regret': {}, 'wall_s': round(time.time() - t0, 1)}
        for c in sorted({c for c in (10, 20, 30, 40) if c <= a.trials} | {a.trials}):
            regret = curves[:, c - 1] - minimum
            out['median_regret'][c] = float(f'{np.median(regret):.5g}')
            out['iqr_regret'][c] = [float(f'{np.percentile(regret, 25):.5g}'), float(f'{np.percentile(regret, 75):.5g}')]
        print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
