#!/usr/bin/env python3
"""Random small CNNs exported with torch.onnx.export, for checking the importer on files nobody has seen.

  /usr/bin/python3 random_nets.py DIR COUNT [SEED]

writes rndNNN.opset{13|17}.onnx (constant folding on or off at random), rndNNN.input.npy, rndNNN.output.npy (PyTorch,
eval mode) and rndNNN.txt (the module) into DIR: 1-D to 3-D convolutions with random kernel, stride, padding,
dilation and groups, batch norm, activations, max and average pools (ceil mode, count_include_pad), residual blocks
with identity or projection shortcuts, concatenated branches, transposed convolutions, three ways of flattening.
Then: mvn -o -pl onnx -am verify -Dtest=GeneratedFixturesTest -Dconvj.onnx.dir=DIR -Dsurefire.failIfNoSpecifiedTests=false
"""
import os
import random
import sys

import numpy as np
import torch
import torch.nn as nn
out = sys.argv[1]
count = int(sys.argv[2])
os.makedirs(out, exist_ok=True)

class Res(nn.Module):
    def __init__(self, body, short): super().__init__(); self.body = body; self.short = short
    def forward(self, x): return self.body(x) + (self.short(x) if self.short is not None else x)
class Cat(nn.Module):
    def __init__(self, bs): super().__init__(); self.bs = nn.ModuleList(bs)
    def forward(self, x): return torch.cat([b(x) for b in self.bs], 1)
class Flat(nn.Module):
    def __init__(self, how): super().__init__(); self.how = how
    def forward(self, x):
        if self.how == 0: return torch.flatten(x, 1)
        if self.how == 1: return x.view(x.size(0), -1)
        return x.reshape(x.shape[0], -1)

def act(r):
    return r.choice([nn.ReLU(), nn.LeakyReLU(0.1), nn.ELU(), nn.Sigmoid(), nn.Tanh(), nn.Identity()])

def conv(r, c, d):
    k = r.randint(1, 4); s = r.randint(1, 2); dil = r.choice([1, 1, 2]); p = r.randint(0, (k * dil) // 2)
    g = r.choice([g for g in (1, 2, c) if c % g == 0]); o = g * r.randint(1, 3)
    Conv = [nn.Conv1d, nn.Conv2d, nn.Conv3d][d - 1]
    return Conv(c, o, k, s, p, dil, g, bias=r.random() < 0.7), o

def pool(r, d):
    k = r.randint(2, 3); s = r.randint(1, 2); p = r.randint(0, k // 2); ceil = r.random() < 0.5
    if r.random() < 0.5: return [nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d][d - 1](k, s, p, ceil_mode=ceil)
    return [nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d][d - 1](k, s, p, ceil_mode=ceil, count_include_pad=r.random() < 0.5)

def bn(c, d): return [nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d][d - 1](c)

def build(r):
    d = r.choice([1, 2, 2, 2, 3]); size = {1: 20, 2: 12, 3: 6}[d]; c0 = r.randint(1, 3)
    layers = []; c = c0
    for _ in range(r.randint(2, 5)):
        kind = r.random()
        if kind < 0.35:
            m, c = conv(r, c, d); layers += [m]
            if r.random() < 0.5: layers.append(bn(c, d))
            layers.append(act(r))
        elif kind < 0.5: layers.append(pool(r, d))
        elif kind < 0.7:
            o = c * r.randint(1, 2)
            Conv = [nn.Conv1d, nn.Conv2d, nn.Conv3d][d - 1]
            body = nn.Sequential(Conv(c, o, 3, 1, 1), bn(o, d), nn.ReLU(), Conv(o, o, 3, 1, 1))
            short = None if o == c and r.random() < 0.6 else nn.Sequential(Conv(c, o, 1), bn(o, d))
            layers += [Res(body, short), nn.ReLU()]; c = o
        elif kind < 0.85:
            Conv = [nn.Conv1d, nn.Conv2d, nn.Conv3d][d - 1]
            a = r.randint(1, 3); b = r.randint(1, 3)
            layers.append(Cat([Conv(c, a, 1), nn.Sequential(Conv(c, b, 3, 1, 1), act(r)), nn.Identity()][:r.randint(2, 3)]))
            c = c + a + b if len(layers[-1].bs) == 3 else a + b
        else:
            if d == 2:
                CT = nn.ConvTranspose2d; s = r.randint(1, 2); k = r.randint(2, 3); p = r.randint(0, k - 1)
                layers.append(CT(c, c + 1, k, s, p, output_padding=r.randint(0, s - 1))); c += 1
    if r.random() < 0.5:
        layers += [[nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d][d - 1](1), Flat(r.randint(0, 2))]
    else: layers += [Flat(r.randint(0, 2))]
    net = nn.Sequential(*layers)
    x = torch.rand((2, c0) + (size,) * d)
    n = net(x).shape[1]
    net = nn.Sequential(net, nn.Linear(n, 5))
    return net, (c0,) + (size,) * d

r = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
made = 0
while made < count:
    torch.manual_seed(made)
    try:
        net, shape = build(r)
    except Exception as e:
        continue
    g = torch.Generator().manual_seed(made)
    for m in net.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            k = m.num_features
            m.running_mean.copy_(torch.rand(k, generator=g) - .5); m.running_var.copy_(torch.rand(k, generator=g) + .5)
            m.weight.data.copy_(torch.rand(k, generator=g) + .5); m.bias.data.copy_(torch.rand(k, generator=g) - .5)
    net.eval()
    x = torch.rand((3,) + shape, generator=g)
    with torch.no_grad(): y = net(x)
    name = "rnd%03d" % made
    np.save(os.path.join(out, name + ".input.npy"), x.numpy()); np.save(os.path.join(out, name + ".output.npy"), y.numpy())
    opset = r.choice([13, 17]); fold = r.random() < 0.5
    kw = {} if fold else {"do_constant_folding": False, "training": torch.onnx.TrainingMode.PRESERVE}
    torch.onnx.export(net, x[:2], os.path.join(out, name + ".opset%d.onnx" % opset), opset_version=opset,
                      input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **kw)
    with open(os.path.join(out, name + ".txt"), "w") as f: f.write(str(net))
    made += 1
