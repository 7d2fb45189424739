#!/usr/bin/python3
"""PyTorch anchor for colour images: the studio's compact ResNet (src-main/engine/models.ts,
'compact-resnet') rebuilt layer for layer, trained on random colour images (throughput only).

Prints one JSON line with training images/second and the process's peak resident set (MB).
A copy of ../shared/reference/torch_resnet.py with peak_rss_mb added (bench/colour.ts reads it). Run it right before or after the project's
own figure for the same model and size so that the two form a ratio.

  /usr/bin/python3 bench/reference/torch_resnet.py --size 64 --images 640 --batch 64 --threads 2
"""
import argparse, json, resource, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.b2(self.c2(F.relu(self.b1(self.c1(x)))))
        return F.relu(y + (x if self.short is None else self.short(x)))


def compact_resnet(size, classes):
    layers = [nn.Conv2d(3, 32, 3, 2 if size >= 96 else 1, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU()]
    if size >= 160:
        layers.append(nn.MaxPool2d(2))
    cin = 32
    for cout, stride in [(32, 1), (64, 2), (128, 2)]:
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, classes)]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=64)
    ap.add_argument('--images', type=int, default=640)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--classes', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.rand(a.images, 3, a.size, a.size)
    y = torch.randint(0, a.classes, (a.images,))
    model = compact_resnet(a.size, a.classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    def step(idx):
        loss = F.cross_entropy(model(x[idx]), y[idx]); opt.zero_grad(); loss.backward(); opt.step()
    step(torch.arange(a.batch))  # warm-up, untimed
    start = time.perf_counter()
    for i in range(0, a.images, a.batch):
        step(torch.arange(i, min(i + a.batch, a.images)))
    seconds = time.perf_counter() - start
    print(json.dumps({'engine': f'pytorch-{torch.__version__}-cpu', 'model': 'compact-resnet', 'size': a.size,
                      'threads': a.threads, 'images': a.images, 'batch': a.batch, 'seconds': round(seconds, 2),
                      'params': sum(p.numel() for p in model.parameters()),
                      'images_per_second': round(a.images / seconds, 1),
                      'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == '__main__':
    main()
