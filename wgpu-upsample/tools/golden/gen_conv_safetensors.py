#!/usr/bin/env python3
"""Weights of an nn.Conv2d and an nn.Conv1d (grouped, no bias) saved by PyTorch as safetensors,
with an input and PyTorch's float32 output, for the Conv loading test.

How to run (from wgpu-upsample/):

    /tmp/torch/bin/python tools/golden/gen_conv_safetensors.py

Writes tests/fixtures/conv_2d.safetensors (state_dict of nn.Sequential(ReLU, Conv2d): keys
"1.weight", "1.bias"), tests/fixtures/conv_1d_grouped.safetensors ("weight") and
tests/fixtures/conv_safetensors.json: per file {file, prefix, dims, in_channels, out_channels,
kernel_size, stride, padding (list or "same"), dilation, groups, bias, input_shape, input,
output_shape, output} (float32 values as float(v)), plus torch_version.
"""
import json
import os

import torch
import torch.nn as nn
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures")
torch.set_num_threads(1)
torch.manual_seed(7)

layers = []

seq = nn.Sequential(nn.ReLU(), nn.Conv2d(3, 4, 3, stride=2, padding=1, dilation=1))
save_file(seq.state_dict(), os.path.join(FIX, "conv_2d.safetensors"))
x = torch.rand(2, 3, 7, 6) * 2 - 1
layers.append(dict(file="conv_2d.safetensors", prefix="1.", dims=2, in_channels=3, out_channels=4,
                   kernel_size=[3, 3], stride=[2, 2], padding=[1, 1], dilation=[1, 1], groups=1,
                   bias=True, input_shape=list(x.shape), input=[float(v) for v in x.flatten()],
                   output=seq[1](x).detach()))

conv1 = nn.Conv1d(4, 6, 4, padding="same", dilation=1, groups=2, bias=False)
save_file(conv1.state_dict(), os.path.join(FIX, "conv_1d_grouped.safetensors"))
x = torch.rand(1, 4, 9) * 2 - 1
layers.append(dict(file="conv_1d_grouped.safetensors", prefix="", dims=1, in_channels=4,
                   out_channels=6, kernel_size=[4], stride=[1], padding="same", dilation=[1],
                   groups=2, bias=False, input_shape=list(x.shape),
                   input=[float(v) for v in x.flatten()], output=conv1(x).detach()))

for l in layers:
    y = l.pop("output")
    l["output_shape"] = list(y.shape)
    l["output"] = [float(v) for v in y.flatten()]

with open(os.path.join(FIX, "conv_safetensors.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "generator": "tools/golden/gen_conv_safetensors.py",
               "layers": layers}, f)
print("wrote", len(layers), "layers")
