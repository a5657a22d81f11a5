# PyTorch CPU timings of compare's default workloads, for the README's CPU ÷ torch column.
# and the CPU GEMM's (benches/cpu.rs): square matmuls, rows gemm-512 and gemm-1024.
# Usage: python tools/bench/torch_compare.py [SIZE=256] [THREADS=2] [CLOCK=wall]  (SIZE as compare's
# --size SxS; CLOCK=cpu times the calling thread's CPU time instead, the work done whatever else
# shares the cores: meaningful with THREADS=1, where torch computes on the calling thread).
# Prints one 'name<TAB>median ms' line per workload; torch version and threads to stderr.
import sys, time, torch, torch.nn.functional as F
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
S = int(sys.argv[1]) if len(sys.argv) > 1 else 256
clock = time.thread_time if len(sys.argv) > 3 and sys.argv[3] == "cpu" else time.perf_counter
C = 16
def t(f, n=5):
    f(); ts=[]
    for _ in range(n):
        a=clock(); f(); ts.append(clock()-a)
    ts.sort(); return ts[len(ts)//2]*1e3
x4 = torch.randn(1, C, S, S)
x5 = torch.randn(1, (C+3)//4, 32, (S+3)//4, (S+3)//4)
x3 = torch.randn(1, C, S*S)
rows = [
 ("nearest", lambda: F.interpolate(x4, scale_factor=2, mode="nearest")),
 ("nearest-exact", lambda: F.interpolate(x4, scale_factor=2, mode="nearest-exact")),
 ("bilinear", lambda: F.interpolate(x4, scale_factor=2, mode="bilinear", align_corners=False)),
 ("bilinear-align-corners", lambda: F.interpolate(x4, scale_factor=2, mode="bilinear", align_corners=True)),
 ("bicubic", lambda: F.interpolate(x4, scale_factor=2, mode="bicubic", align_corners=False)),
 ("area", lambda: F.interpolate(x4, scale_factor=2, mode="area")),
 ("bilinear-aa-down", lambda: F.interpolate(x4, scale_factor=0.5, mode="bilinear", antialias=True)),
 ("bicubic-aa-down", lambda: F.interpolate(x4, scale_factor=0.5, mode="bicubic", antialias=True)),
 ("trilinear", lambda: F.interpolate(x5, scale_factor=2, mode="trilinear", align_corners=False)),
 ("linear", lambda: F.interpolate(x3, scale_factor=2, mode="linear", align_corners=False)),
]
for cin, cout, k, p, op, side, name in [(3,3,3,1,1,S,"convt2d-k3-3to3"),(3,3,4,1,0,S,"convt2d-k4-3to3"),
        (C,C,3,1,1,S,"convt2d-k3-16to16"),(C,C,4,1,0,S,"convt2d-k4-16to16"),
        (128,64,3,1,1,(S+7)//8,"convt2d-k3-128to64"),(128,64,4,1,0,(S+7)//8,"convt2d-k4-128to64")]:
    m = torch.nn.ConvTranspose2d(cin, cout, k, stride=2, padding=p, output_padding=op)
    xx = torch.randn(1, cin, side, side)
    def f(m=m, xx=xx):
        with torch.no_grad():
            return m(xx)
    rows.append((name, f))
for n in (512, 1024):
    a, b = torch.randn(n, n), torch.randn(n, n)
    rows.append((f"gemm-{n}", lambda a=a, b=b: a @ b))
with torch.no_grad():
    for name, f in rows:
        print(f"{name}\t{t(f):.2f}")
print("torch", torch.__version__, "threads", torch.get_num_threads(), "clock", clock.__name__, file=sys.stderr)
