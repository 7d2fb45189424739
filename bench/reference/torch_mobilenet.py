#!/usr/bin/python3
"""PyTorch anchor for the studio's pretrained backbone: MobileNetV2 (Keras Applications layout,
width alpha, random weights: throughput only), timed as the studio uses it —

  embed:     the whole network in inference (eval, no_grad), global average pooled;
  fine-tune: the last N blocks (+ the 1x1 top convolution) and a head trained with Adam, the frozen
             trunk below them in inference under no_grad, every batch normalization frozen (eval).

Prints one JSON line. Run it right before or after the studio's own figure (bench/transfer.ts).

  /usr/bin/python3 bench/reference/torch_mobilenet.py --size 224 --blocks 3 --images 256 --batch 32 --threads 2
"""
import argparse, json, time
import torch
import torch.nn as nn
import torch.nn.functional as F


def divisible(v, d=8):
    n = max(d, int(v + d / 2) // d * d)
    return n + d if n < 0.9 * v else n


class Block(nn.Module):
    """Keras' inverted residual: 1x1 expand (not in block 0), 3x3 depthwise, 1x1 project; ReLU6; a skip when shapes allow."""
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)
        self.skip = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.skip else y


def mobilenet_v2(alpha):
    first = divisible(32 * alpha)
    stem = nn.Sequential(nn.Conv2d(3, first, 3, 2, 1, bias=False), nn.BatchNorm2d(first), nn.ReLU6())
    blocks, cin = [], first
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        cout = divisible(c * alpha)
        for i in range(n):
            blocks.append(Block(cin, cout, s if i == 0 else 1, t))
            cin = cout
    top = nn.Sequential(nn.Conv2d(cin, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6())
    return stem, blocks, top


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=224)
    ap.add_argument('--alpha', type=float, default=0.35)
    ap.add_argument('--blocks', type=int, default=3, help='blocks fine-tuned, counting the 1x1 top convolution as one (as the studio does)')
    ap.add_argument('--images', type=int, default=256)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--classes', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    stem, blocks, top = mobilenet_v2(a.alpha)
    layers = [stem, *blocks, top]  # the studio's blocks: block_1..block_16 and Conv_1 (block 0 has no number)
    trunk = nn.Sequential(*layers[:len(layers) - a.blocks]).eval()
    tuned = nn.Sequential(*layers[len(layers) - a.blocks:])
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, a.classes))
    for p in trunk.parameters():
        p.requires_grad_(False)
    for m in tuned.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eval()
            for p in m.parameters():
                p.requires_grad_(False)
    x = torch.rand(a.images, 3, a.size, a.size) * 2 - 1
    y = torch.randint(0, a.classes, (a.images,))
    whole = nn.Sequential(trunk, tuned, nn.AdaptiveAvgPool2d(1), nn.Flatten()).eval()

    def embed(idx):
        with torch.no_grad():
            whole(x[idx])

    params = [p for p in [*tuned.parameters(), *head.parameters()] if p.requires_grad]
    opt = torch.optim.Adam(params, lr=1e-4)

    def fine_tune(idx):
        with torch.no_grad():
            f = trunk(x[idx])
        head.train()
        loss = F.cross_entropy(head(tuned(f)), y[idx]); opt.zero_grad(); loss.backward(); opt.step()

    out = {'size': a.size, 'alpha': a.alpha, 'blocks': a.blocks, 'batch': a.batch, 'threads': a.threads, 'torch': torch.__version__}
    for name, step in [('embed', embed), ('fine_tune', fine_tune)]:
        step(torch.arange(a.batch))  # warm-up, untimed
        start = time.perf_counter()
        for i in range(0, a.images, a.batch):
            step(torch.arange(i, min(i + a.batch, a.images)))
        out[f'{name}_images_per_second'] = a.images / (time.perf_counter() - start)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
