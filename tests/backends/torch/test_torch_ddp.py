"""A built network under DistributedDataParallel: 2 CPU processes, gloo, one training step."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch_nets import branchy_graph

from archspec.backends.torch import build_module

WORLD = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gather(flat: torch.Tensor) -> list[torch.Tensor]:
    out = [torch.empty_like(flat) for _ in range(WORLD)]
    dist.all_gather(out, flat)
    return out


def _worker(rank: int, port: int, out_dir: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    try:
        torch.set_num_threads(1)
        model = build_module(branchy_graph(), seed=rank)  # DDP must broadcast rank 0's weights
        ddp = DistributedDataParallel(model)
        x = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(10 + rank))
        out = ddp(x)
        loss = model.combine_losses({"logits": out.logits.square().mean(),
                                     "aux": out.aux.square().mean()})
        loss.backward()
        grads = torch.cat([p.grad.flatten() for p in model.parameters()])
        params = torch.cat([p.detach().flatten() for p in model.parameters()])
        torch.save({"grads": _gather(grads), "params": _gather(params), "loss": loss.item()},
                   Path(out_dir) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def test_ddp_one_step_gives_equal_gradients_on_every_rank(tmp_path):
    mp.spawn(_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD, join=True)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt") for r in range(WORLD))
    assert torch.equal(r0["params"][0], r0["params"][1])  # broadcast from rank 0
    assert torch.equal(r0["grads"][0], r0["grads"][1])    # all-reduced
    assert r0["grads"][0].abs().sum() > 0
    assert r0["loss"] != r1["loss"]  # each rank saw its own batch
