"""PyTorch CPU reference for `npm run bench`: the same decoder (pre-norm GPT, learned positions,
GELU-tanh MLP, untied head) and the same training step (forward, per-token log-probs of the action
tokens, PPO-clip loss, backward, gradient-norm clip, Adam) on a [32 x 64] batch. Prints one JSON line.
Usage: python3 bench/torch_ref.py [vocab width depth heads ctx batch seq reps]"""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

V, D, L, H, C, B, S, REPS = (int(x) for x in (sys.argv[1:] + ['264', '128', '2', '4', '256', '32', '64', '5'])[:8]) if len(sys.argv) > 1 else (264, 128, 2, 4, 256, 32, 64, 5)
torch.manual_seed(0)
import os
torch.set_num_threads(int(os.environ.get('TORCH_THREADS', os.cpu_count() or 1)))

class Block(nn.Module):
    def __init__(s):
        super().__init__()
        s.ln1, s.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        s.qkv, s.o = nn.Linear(D, 3 * D), nn.Linear(D, D)
        s.w1, s.w2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
    def forward(s, x, mask):
        b, t, _ = x.shape
        q, k, v = s.qkv(s.ln1(x)).split(D, dim=-1)
        sh = lambda z: z.view(b, t, H, D // H).transpose(1, 2)
        att = (sh(q) @ sh(k).transpose(-1, -2)) / math.sqrt(D // H) + mask[:t, :t]
        y = (att.softmax(-1) @ sh(v)).transpose(1, 2).reshape(b, t, D)
        x = x + s.o(y)
        return x + s.w2(F.gelu(s.w1(s.ln2(x)), approximate='tanh'))

class GPT(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok, s.pos = nn.Embedding(V, D), nn.Embedding(C, D)
        s.blocks = nn.ModuleList([Block() for _ in range(L)])
        s.lnf, s.head = nn.LayerNorm(D), nn.Linear(D, V, bias=False)
        s.register_buffer('mask', torch.triu(torch.full((C, C), -1e9), 1))
    def forward(s, idx):
        x = s.tok(idx) + s.pos(torch.arange(idx.shape[1]))
        for blk in s.blocks:
            x = blk(x, s.mask)
        return s.head(s.lnf(x))

model = GPT()
opt = torch.optim.Adam(model.parameters(), lr=1e-4)
P = S // 2
tokens = torch.randint(0, 256, (B, S))
old = torch.full((B, S - P), -5.5)
adv = torch.randn(B, 1)

def step():
    logits = model(tokens[:, :-1])[:, P - 1:]
    lp = logits.log_softmax(-1).gather(-1, tokens[:, P:].unsqueeze(-1)).squeeze(-1)
    ratio = (lp - old).clamp(-20, 20).exp()
    loss = -torch.min(ratio * adv, ratio.clamp(0.8, 1.2) * adv).mean()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()

times = []
step()  # warm-up
for _ in range(REPS):
    t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': sum(p.numel() for p in model.parameters()),
                  'trainStepMedianS': times[len(times) // 2], 'trainStepMinS': times[0], 'tokensPerS': B * S / times[len(times) // 2]}))
