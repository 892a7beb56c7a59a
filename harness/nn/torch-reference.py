# Reference training steps in PyTorch on one CPU thread, for side-by-side benchmarks only. Prints
# one JSON object on stdout: steps per second (best of three windows) and CPU milliseconds per step.
#   torch-reference.py mlp BATCH SECONDS
#       784-256-256-10 ReLU MLP, cross-entropy, SGD momentum 0.9
#   torch-reference.py transformer BATCH LENGTH SECONDS
#       the causal Transformer LM of harness/nn/lm at d=128, 4 heads, FFN 512, 4 layers, RoPE,
#       vocabulary 256, untied output, pre-LayerNorm, GELU (tanh); Adam with global-norm clipping
#   torch-reference.py gss BATCH LENGTH SECONDS
#       the GSS LM of harness/nn/ssm at E=128, F=512, H=32, N=64, 4 layers, bytes (the DSS kernel
#       from Λ and C, causal convolution by rfft/irfft at length 2L); Adam with global-norm clipping
# (The old form `torch-reference.py BATCH SECONDS` is the mlp step.)
import json
import math
import sys
import time

try:
    import torch
except Exception as error:  # PyTorch is an optional, benchmark-only reference
    print(json.dumps({"unavailable": f"import torch failed: {error}"}))
    sys.exit(0)

torch.set_num_threads(1)
torch.manual_seed(0)
args = sys.argv[1:]
kind = args.pop(0) if args and not args[0][0].isdigit() else "mlp"


def mlp_step(batch):
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, 784)
    y = torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


class Block(torch.nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(d)
        self.q = torch.nn.Linear(d, d)
        self.k = torch.nn.Linear(d, d)
        self.v = torch.nn.Linear(d, d)
        self.o = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d)
        self.w1 = torch.nn.Linear(d, ffn)
        self.w2 = torch.nn.Linear(ffn, d)

    def forward(self, x, cos, sin, mask):
        b, n, d = x.shape
        dh = d // self.heads
        h = self.ln1(x)

        def split(t):
            return t.view(b, n, self.heads, dh).transpose(1, 2)

        def rope(t):
            t1, t2 = t[..., : dh // 2], t[..., dh // 2:]
            return torch.cat([t1 * cos - t2 * sin, t1 * sin + t2 * cos], dim=-1)
        q = rope(split(self.q(h)) / math.sqrt(dh))
        k = rope(split(self.k(h)))
        v = split(self.v(h))
        p = torch.softmax(q @ k.transpose(-1, -2) + mask, dim=-1)
        x = x + self.o((p @ v).transpose(1, 2).reshape(b, n, d))
        return x + self.w2(torch.nn.functional.gelu(self.w1(self.ln2(x)), approximate="tanh"))


def transformer_step(batch, length, d=128, heads=4, ffn=512, layers=4, vocab=256):
    emb = torch.nn.Embedding(vocab, d)
    blocks = torch.nn.ModuleList([Block(d, heads, ffn) for _ in range(layers)])
    ln_f = torch.nn.LayerNorm(d)
    out = torch.nn.Linear(d, vocab)
    params = [*emb.parameters(), *blocks.parameters(), *ln_f.parameters(), *out.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    dh = d // heads
    pos = torch.arange(length, dtype=torch.float32)[:, None] * torch.pow(10000.0, -2 * torch.arange(dh // 2) / dh)[None, :]
    cos, sin = torch.cos(pos), torch.sin(pos)
    mask = torch.triu(torch.full((length, length), -1e9), diagonal=1)
    ids = torch.randint(0, vocab, (batch, length + 1))

    def step():
        optimizer.zero_grad(set_to_none=True)
        x = emb(ids[:, :-1])
        for block in blocks:
            x = block(x, cos, sin, mask)
        logits = out(ln_f(x))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
    return step


class GSS(torch.nn.Module):
    def __init__(self, e, f, h, n):
        super().__init__()
        self.norm = torch.nn.LayerNorm(e)
        self.v = torch.nn.Linear(e, f)
        self.u = torch.nn.Linear(e, h)
        self.lambda_re = torch.nn.Parameter(torch.randn(n))
        self.lambda_im = torch.nn.Parameter(torch.randn(n))
        self.c = torch.nn.Parameter(torch.randn(h, n, dtype=torch.cfloat))
        self.d = torch.nn.Parameter(torch.randn(h))
        self.dss_norm = torch.nn.LayerNorm(h)
        self.uc = torch.nn.Linear(h, f, bias=False)
        self.o = torch.nn.Linear(f, e)

    def forward(self, x):
        length = x.shape[1]
        xh = self.norm(x)
        v = torch.nn.functional.gelu(self.v(xh), approximate="tanh")
        u = self.dss_norm(torch.nn.functional.gelu(self.u(xh), approximate="tanh"))
        lam = -torch.exp(self.lambda_re) + 1j * torch.exp(self.lambda_im)
        ct = self.c * (torch.exp(lam) - 1) / lam
        k = (ct[:, :, None] * torch.exp(lam[None, :, None] * torch.arange(length)[None, None, :])).sum(1).real
        n = 2 * length
        y = torch.fft.irfft(torch.fft.rfft(u, n=n, dim=1) * torch.fft.rfft(k.t(), n=n, dim=0)[None], n=n, dim=1)[:, :length]
        y = y + u * self.d
        return self.o(self.uc(y) * v) + x


def gss_step(batch, length, e=128, f=512, h=32, n=64, layers=4, vocab=256):
    emb = torch.nn.Embedding(vocab, e)
    blocks = torch.nn.ModuleList([GSS(e, f, h, n) for _ in range(layers)])
    ln_f = torch.nn.LayerNorm(e)
    out = torch.nn.Linear(e, vocab)
    params = [*emb.parameters(), *blocks.parameters(), *ln_f.parameters(), *out.parameters()]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    ids = torch.randint(0, vocab, (batch, length + 1))

    def step():
        optimizer.zero_grad(set_to_none=True)
        x = emb(ids[:, :-1])
        for block in blocks:
            x = block(x)
        logits = out(ln_f(x))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
    return step


if kind == "mlp":
    batch = int(args[0]) if args else 128
    seconds = float(args[1]) if len(args) > 1 else 2.0
    step = mlp_step(batch)
    warmup = 20
elif kind == "transformer":
    batch, length = int(args[0]), int(args[1])
    seconds = float(args[2]) if len(args) > 2 else 6.0
    step = transformer_step(batch, length)
    warmup = 2
elif kind == "gss":
    batch, length = int(args[0]), int(args[1])
    seconds = float(args[2]) if len(args) > 2 else 6.0
    step = gss_step(batch, length)
    warmup = 2
else:
    print(json.dumps({"unavailable": f"unknown reference model {kind}"}))
    sys.exit(0)

for _ in range(warmup):
    step()
best = 0.0
cpu = []
for _ in range(3):
    steps = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    while steps < 1 or time.perf_counter() - start < seconds / 3:
        step()
        steps += 1
    best = max(best, steps / (time.perf_counter() - start))
    cpu.append((time.process_time() - cpu_start) * 1000 / steps)
print(json.dumps({"stepsPerSecond": best, "cpuMsPerStep": min(cpu), "version": torch.__version__}))
