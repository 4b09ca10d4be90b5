#!/usr/bin/env python3
"""Writes the ONNX import fixtures with PyTorch's own exporter (torch.onnx.export).

For every network below and opsets 13 and 17: <name>.opset<k>.onnx (dynamic batch axis named "batch"),
<name>.input.npy (float32, a batch of 3 while the export traced a batch of 2, so the dynamic axis is exercised)
and <name>.output.npy (PyTorch's float32 output in eval mode). Seeds are fixed: running the script again writes
the same numbers.

Run with Debian's interpreter (python3-torch, python3-onnx):
  /usr/bin/python3 make_fixtures.py [--out DIR]            # the committed fixtures (default: this directory)
  /usr/bin/python3 make_fixtures.py --bench DIR            # full-size LeNet-5 and small VGG for the speed bench
"""
import argparse
import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSETS = (13, 17)


class LeNet5(nn.Module):
    """LeNet-5 as the repository's built-in lenet5 (without its input standardization)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(16 * 5 * 5, 120)
        self.f2 = nn.Linear(120, 84)
        self.f3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = x.view(x.size(0), -1)  # the common idiom: Shape, Gather, Unsqueeze, Concat, Reshape
        x = F.relu(self.f1(x))
        x = F.relu(self.f2(x))
        return self.f3(x)


class SmallVgg(nn.Module):
    """The built-in vgg's layout at width w (32 there), batch norm after every convolution when bn."""

    def __init__(self, w=8, size=16, bn=True, dense=32):
        super().__init__()

        def block(cin, cout):
            layers = [nn.Conv2d(cin, cout, 3, padding=1)]
            if bn:
                layers.append(nn.BatchNorm2d(cout))
            layers.append(nn.ReLU())
            return layers

        self.features = nn.Sequential(*block(1, w), *block(w, w), nn.MaxPool2d(2),
                                      *block(w, 2 * w), *block(2 * w, 2 * w), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(2 * w * (size // 4) ** 2, dense), nn.ReLU(),
                                        nn.Dropout(0.5), nn.Linear(dense, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class SmallResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = BasicBlock(8, 8, 1)
        self.layer2 = BasicBlock(8, 16, 2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


class Branches(nn.Module):
    """Inception-like: three branches from one tensor, concatenated along the channels, then a softmax."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 6, 3, padding=1)
        self.b1 = nn.Conv2d(6, 4, 1)
        self.b2 = nn.Sequential(nn.Conv2d(6, 4, 1), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1))
        self.b3 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(6, 3, 1))
        self.fc = nn.Linear(12 * 4 * 4, 7)

    def forward(self, x):
        x = F.relu(self.stem(x))
        x = torch.cat([self.b1(x), self.b2(x), self.b3(x)], 1)
        x = F.avg_pool2d(F.relu(x), 2)
        return F.softmax(self.fc(torch.flatten(x, 1)), dim=1)


class ConvVariants(nn.Module):
    """Grouped, depthwise, dilated and asymmetric-kernel convolutions."""

    def __init__(self):
        super().__init__()
        self.grouped = nn.Conv2d(4, 8, 3, padding=1, groups=2)
        self.depthwise = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.dilated = nn.Conv2d(8, 6, 3, padding=2, dilation=2)
        self.wide = nn.Conv2d(6, 6, (1, 3), padding=(0, 1), bias=False)
        self.fc = nn.Linear(6 * 5 * 5, 5)

    def forward(self, x):
        x = F.relu(self.grouped(x))
        x = F.relu(self.depthwise(x))
        x = torch.tanh(self.wide(self.dilated(x)))
        return self.fc(torch.flatten(x, 1))


class Deconv(nn.Module):
    """Transposed convolutions: stride with output_padding, groups, dilation."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(2, 4, 3, stride=2)
        self.up = nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1)
        self.grouped = nn.ConvTranspose2d(4, 2, 2, stride=1, groups=2, dilation=2, bias=False)

    def forward(self, x):
        return torch.sigmoid(self.grouped(F.relu(self.up(F.relu(self.down(x))))))


class Pools(nn.Module):
    """Ceil-mode pools; average pooling with and without the padding counted."""

    def forward(self, x):
        a = F.max_pool2d(x, 3, stride=2, ceil_mode=True)                                      # 10 -> 5
        a = F.avg_pool2d(a, 3, stride=1, padding=1, count_include_pad=True)                   # 5 -> 5
        b = F.avg_pool2d(x, 4, stride=3, padding=1, ceil_mode=True, count_include_pad=False)  # 10 -> 4
        b = F.max_pool2d(b, 2, stride=1, padding=1)                                           # 4 -> 5
        c = F.avg_pool2d(x, 3, stride=2, ceil_mode=True, count_include_pad=True)              # 10 -> 5
        return torch.cat([a, b, c], 1)


class Net1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(2, 4, 3, padding=1)
        self.c2 = nn.Conv1d(4, 6, 3, stride=2, dilation=2, groups=2)
        self.fc = nn.Linear(6 * 4, 4)

    def forward(self, x):                                                          # [N, 2, 16]
        x = F.max_pool1d(F.relu(self.c1(x)), 2)                                    # 8
        x = F.avg_pool1d(x, 3, stride=1, padding=1, count_include_pad=True)        # 8
        x = F.elu(self.c2(F.pad(x, (1, 2))))                                       # pad -> 11, conv -> 4
        return F.log_softmax(self.fc(torch.flatten(x, 1)), dim=1)


class Net3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv3d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm3d(4)
        self.c2 = nn.Conv3d(4, 4, 2, bias=False)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):                                                          # [N, 1, 6, 6, 6]
        x = F.max_pool3d(F.relu(self.bn(self.c1(x))), 2)                           # 3
        x = F.avg_pool3d(F.leaky_relu(self.c2(x), 0.1), 2, stride=1, ceil_mode=False)
        return self.fc(torch.flatten(F.adaptive_max_pool3d(x, 1), 1))


class Arithmetic(nn.Module):
    """Elementwise arithmetic with broadcast constants, Pad, MatMul, Gemm with alpha and beta, Reshape, activations."""

    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(7)
        self.register_buffer("mean", torch.tensor([0.2, 0.5, -0.1]).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.5, 0.25, 2.0]).reshape(1, 3, 1, 1))
        self.conv = nn.Conv2d(3, 4, 3)
        self.register_buffer("scale", torch.rand(1, 4, 1, 1, generator=g) + 0.5)
        self.register_buffer("shift", torch.rand(4, 1, 1, generator=g) - 0.5)
        self.register_buffer("w", torch.rand(4 * 8 * 8, 20, generator=g) * 0.1 - 0.05)
        self.register_buffer("b", torch.rand(20, generator=g) - 0.5)
        self.register_buffer("w2", torch.rand(20, 6, generator=g) - 0.5)
        self.register_buffer("b2", torch.rand(6, generator=g) - 0.5)

    def forward(self, x):                                                          # [N, 3, 8, 8]
        x = (x - self.mean) / self.std
        x = self.conv(x) * self.scale + self.shift                                 # 6x6
        x = F.elu(F.leaky_relu(x, 0.2), alpha=0.7)
        x = F.pad(x, (1, 1, 2, 0), value=0.0)                                      # 8x8
        x = torch.sigmoid(torch.flatten(x, 1) @ self.w + self.b)                   # MatMul, Add
        x = torch.tanh(x.reshape(-1, 4, 5) * 2.0 - 0.5) / 3.0                      # Reshape, Mul, Sub, Div
        x = torch.addmm(self.b2, x.reshape(-1, 20), self.w2, beta=0.5, alpha=2.0)  # Gemm alpha, beta
        return F.softmax(x, dim=-1)


class Idioms(nn.Module):
    """Common ways of writing the head: x.mean([2, 3]), view(x.size(0), -1) after adaptive pooling, BatchNorm1d,
    a Linear without bias, unsqueeze/squeeze, view(-1, n) and nn.Softmax."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(6)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Linear(12, 8, bias=False)
        self.bn1 = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 4)

    def forward(self, x):                                                          # [N, 2, 6, 6]
        x = F.relu(self.bn(self.conv(x)))
        a = x.mean([2, 3])                                                         # ReduceMean, keepdims 0
        b = self.pool(x).view(x.size(0), -1)                                       # GlobalAveragePool, Reshape
        x = F.relu(self.bn1(self.fc1(torch.cat([a, b], 1))))
        x = self.fc2(x).unsqueeze(2).squeeze(2).view(-1, 4)
        return nn.Softmax(dim=1)(x)


def fixtures():
    """name -> (module, input shape without batch, export options)."""
    return {
        "lenet5": (LeNet5(), (1, 28, 28), {}),
        "vgg_bn": (SmallVgg(), (1, 16, 16), {}),
        # Without the eval-mode peephole (training=PRESERVE on a model in eval mode) batch norm stays a node.
        "vgg_bn_nofold": (SmallVgg(), (1, 16, 16), {"do_constant_folding": False,
                                                     "training": torch.onnx.TrainingMode.PRESERVE}),
        "resnet": (SmallResNet(), (1, 12, 12), {}),
        "resnet_nofold": (SmallResNet(), (1, 12, 12), {"do_constant_folding": False,
                                                       "training": torch.onnx.TrainingMode.PRESERVE}),
        "idioms": (Idioms(), (2, 6, 6), {"training": torch.onnx.TrainingMode.PRESERVE}),
        "branches": (Branches(), (3, 8, 8), {}),
        "conv_variants": (ConvVariants(), (4, 10, 10), {}),
        "deconv": (Deconv(), (2, 9, 9), {}),
        "pools": (Pools(), (2, 10, 10), {}),
        "net1d": (Net1d(), (2, 16), {}),
        "net3d": (Net3d(), (1, 6, 6, 6), {}),
        "arithmetic": (Arithmetic(), (3, 8, 8), {}),
    }


def randomize_batch_norm(model, generator):
    """Fresh BatchNorm layers are the identity; give them statistics and affine parameters worth checking."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            n = m.num_features
            m.running_mean.copy_(torch.rand(n, generator=generator) - 0.5)
            m.running_var.copy_(torch.rand(n, generator=generator) + 0.5)
            m.weight.data.copy_(torch.rand(n, generator=generator) + 0.5)
            m.bias.data.copy_(torch.rand(n, generator=generator) - 0.5)


def export(name, model, shape, options, out_dir, opsets, batch=3):
    torch.manual_seed(1)
    for p in model.parameters():  # the constructor drew them before the seed: draw again, seeded
        if p.dim() > 1:
            nn.init.kaiming_uniform_(p, a=5 ** 0.5)
        else:
            nn.init.uniform_(p, -0.3, 0.3)
    randomize_batch_norm(model, torch.Generator().manual_seed(2))
    model.eval()
    x = torch.rand((batch,) + tuple(shape), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        y = model(x)
    np.save(os.path.join(out_dir, name + ".input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out_dir, name + ".output.npy"), y.numpy().astype(np.float32))
    for opset in opsets:
        path = os.path.join(out_dir, "%s.opset%d.onnx" % (name, opset))
        torch.onnx.export(model, x[:2], path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **options)
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print("%-44s %7d bytes, ops: %s" % (path, os.path.getsize(path),
                                            sorted({n.op_type for n in onnx.load(path).graph.node})))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=here)
    parser.add_argument("--bench", help="write full-size lenet5 and vgg (the built-in models' shapes) here instead")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.bench:
        os.makedirs(args.bench, exist_ok=True)
        export("lenet5", LeNet5(), (1, 28, 28), {}, args.bench, (17,), batch=256)
        export("vgg", SmallVgg(w=32, size=28, bn=False, dense=256), (1, 28, 28), {}, args.bench, (17,), batch=256)
        return
    os.makedirs(args.out, exist_ok=True)
    for name, (model, shape, options) in fixtures().items():
        export(name, model, shape, options, args.out, OPSETS)


if __name__ == "__main__":
    main()
