# The reference MLP training step (784-256-256-10, batch 128, SGD momentum 0.9) in PyTorch on one
# CPU thread, for side-by-side benchmarks only. Prints one JSON object on stdout.
import json
import sys
import time

try:
    import torch
except Exception as error:  # PyTorch is an optional, benchmark-only reference
    print(json.dumps({"unavailable": f"import torch failed: {error}"}))
    sys.exit(0)

torch.set_num_threads(1)
torch.manual_seed(0)
batch = int(sys.argv[1]) if len(sys.argv) > 1 else 128
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
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
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()


for _ in range(20):
    step()
best = 0.0
for _ in range(3):
    steps = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds / 3:
        step()
        steps += 1
    best = max(best, steps / (time.perf_counter() - start))
print(json.dumps({"stepsPerSecond": best, "version": torch.__version__}))
