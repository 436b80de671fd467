#!/usr/bin/env python3
"""SASRec (Kang & McAuley, 2018) on PyTorch CPU, the side-by-side reference
for bench/sasrec.ts. Written for this benchmark: the paper's architecture
(learned positions, pre-LayerNorm causal self-attention blocks with a
point-wise feed-forward, dropout, BCE with one sampled negative per
position, Adam), reading the sequences and test candidates that bench/sasrec.ts
exports, so both implementations train and are scored on the same data.

It is driven line by line on stdin so the benchmark can alternate epochs
between the two implementations under the same machine load:
  train  -> one epoch; prints {"epoch", "seconds", "loss", "steps"}
  eval   -> test ranks; prints {"ranks": [...], "seconds"}
  quit
Every reply is one JSON line on stdout; progress goes to stderr.

  python3 sasrec.py --data DIR --threads 2 --seed 1 [--max-len 50 --hidden 50
      --blocks 2 --heads 1 --dropout 0.5 --lr 0.001 --batch 128 --beta2 0.98]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_sequences(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            out.append([int(x) for x in line.split()] if line else [])
    return out


def read_cases(path):
    """Each line: history items, a tab, candidate items with the target first."""
    histories, candidates = [], []
    with open(path) as f:
        for line in f:
            h, c = line.rstrip("\n").split("\t")
            histories.append([int(x) for x in h.split()])
            candidates.append([int(x) for x in c.split()])
    return histories, candidates


class FeedForward(nn.Module):
    def __init__(self, d, dropout):
        super().__init__()
        self.w1 = nn.Linear(d, d)
        self.w2 = nn.Linear(d, d)
        self.drop1 = nn.Dropout(dropout)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, x):
        return x + self.drop2(self.w2(self.drop1(torch.relu(self.w1(x)))))


class SASRec(nn.Module):
    def __init__(self, num_items, a):
        super().__init__()
        d = a.hidden
        self.d = d
        self.item = nn.Embedding(num_items + 1, d, padding_idx=0)
        self.pos = nn.Embedding(a.max_len, d)
        self.drop = nn.Dropout(a.dropout)
        self.attn_norm = nn.ModuleList([nn.LayerNorm(d, eps=1e-8) for _ in range(a.blocks)])
        self.attn = nn.ModuleList(
            [nn.MultiheadAttention(d, a.heads, dropout=a.dropout, batch_first=True) for _ in range(a.blocks)]
        )
        self.ffn_norm = nn.ModuleList([nn.LayerNorm(d, eps=1e-8) for _ in range(a.blocks)])
        self.ffn = nn.ModuleList([FeedForward(d, a.dropout) for _ in range(a.blocks)])
        self.final_norm = nn.LayerNorm(d, eps=1e-8)
        for name, p in self.named_parameters():
            if p.dim() > 1:
                nn.init.xavier_normal_(p)
        L = a.max_len
        self.register_buffer("causal", ~torch.tril(torch.ones(L, L, dtype=torch.bool)))

    def states(self, seq):
        L = seq.shape[1]
        h = self.item(seq) * math.sqrt(self.d)
        h = h + self.pos(torch.arange(L).unsqueeze(0))
        mask = (seq > 0).unsqueeze(-1).float()
        h = self.drop(h) * mask
        for ln1, attn, ln2, ffn in zip(self.attn_norm, self.attn, self.ffn_norm, self.ffn):
            q = ln1(h)
            out, _ = attn(q, h, h, attn_mask=self.causal[:L, :L], need_weights=False)
            h = q + out
            h = ffn(ln2(h)) * mask
        return self.final_norm(h)

    def loss(self, seq, pos, neg):
        s = self.states(seq)
        pl = (s * self.item(pos)).sum(-1)
        nl = (s * self.item(neg)).sum(-1)
        real = pos > 0
        bce = nn.functional.binary_cross_entropy_with_logits
        return bce(pl[real], torch.ones_like(pl[real])) + bce(nl[real], torch.zeros_like(nl[real]))


def left_pad(items, L):
    items = items[-L:]
    return [0] * (L - len(items)) + items


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-len", type=int, default=50)
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=0.001)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--beta2", type=float, default=0.98)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)

    meta = json.load(open(os.path.join(a.data, "meta.json")))
    num_items = meta["numItems"]
    # Items in the files are 0-based; row 0 of the embedding is padding.
    train = [[i + 1 for i in s] for s in read_sequences(os.path.join(a.data, "train.txt"))]
    histories, candidates = read_cases(os.path.join(a.data, "test.txt"))
    users = [u for u, s in enumerate(train) if len(s) >= 2]
    seen = [set(s) for s in train]
    model = SASRec(num_items, a)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, betas=(0.9, a.beta2))
    L = a.max_len
    epoch = 0

    def reply(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    for command in sys.stdin:
        command = command.strip()
        if command == "train":
            epoch += 1
            model.train()
            order = rng.permutation(users)
            t0 = time.perf_counter()
            total, steps = 0.0, 0
            for start in range(0, len(order), a.batch):
                chunk = order[start : start + a.batch]
                seq = np.zeros((len(chunk), L), dtype=np.int64)
                pos = np.zeros((len(chunk), L), dtype=np.int64)
                neg = np.zeros((len(chunk), L), dtype=np.int64)
                for b, u in enumerate(chunk):
                    s = train[u]
                    seq[b] = left_pad(s[:-1], L)
                    pos[b] = left_pad(s[1:], L)
                    for j in range(L):
                        if pos[b, j] == 0:
                            continue
                        while True:
                            item = int(rng.integers(1, num_items + 1))
                            if item not in seen[u]:
                                break
                        neg[b, j] = item
                opt.zero_grad()
                loss = model.loss(torch.from_numpy(seq), torch.from_numpy(pos), torch.from_numpy(neg))
                loss.backward()
                opt.step()
                total += float(loss)
                steps += 1
                if steps % 50 == 0:
                    sys.stderr.write(f"pytorch epoch {epoch}: {steps} steps\n")
            reply({"epoch": epoch, "seconds": time.perf_counter() - t0, "loss": total / max(1, steps), "steps": steps})
        elif command == "eval":
            model.eval()
            t0 = time.perf_counter()
            ranks = []
            with torch.no_grad():
                for start in range(0, len(histories), 512):
                    hs = histories[start : start + 512]
                    cs = candidates[start : start + 512]
                    seq = torch.tensor([left_pad([i + 1 for i in h], L) for h in hs], dtype=torch.int64)
                    user = model.states(seq)[:, -1, :]
                    cand = torch.tensor([[i + 1 for i in c] for c in cs], dtype=torch.int64)
                    scores = (model.item(cand) * user.unsqueeze(1)).sum(-1).double()
                    # Ties count against the target (listed first), as the TypeScript metrics do.
                    above = (scores[:, 1:] >= scores[:, :1]).sum(1)
                    ranks.extend((above + 1).tolist())
            reply({"ranks": ranks, "seconds": time.perf_counter() - t0})
        elif command == "quit":
            break
        else:
            reply({"error": f"unknown command {command!r}"})


if __name__ == "__main__":
    main()
