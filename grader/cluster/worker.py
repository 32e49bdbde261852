"""A grading worker, started either way:

    grader worker tcp://HOST:8786 --jobs N
    dask worker tcp://HOST:8786 --nthreads 2N --resources grading=N --preload grader.cluster.worker

Both give the worker N grading slots (a Dask resource) and the grader's plugin."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import click
from distributed import Worker

from ..reference import default_cache_dir
from .plugin import SHARE, SLOT, GradingWorker, docker_ready


@click.command()
@click.option("--grader-sandbox", type=click.Choice(["docker", "local"]), default="docker")
@click.option("--grader-cache-dir", type=click.Path(file_okay=False, path_type=Path))
async def dask_setup(worker, grader_sandbox: str, grader_cache_dir: Path | None) -> None:
    """Dask's preload hook: run by `dask worker --preload grader.cluster.worker`."""
    if isinstance(worker, Worker):  # not a nanny (--preload-nanny) nor a scheduler
        plugin = GradingWorker(grader_sandbox, grader_cache_dir or default_cache_dir())
        await worker.plugin_add(plugin, catch_errors=False)


def serve(
    scheduler: str, jobs: int, sandbox: str, cache_dir: Path, say: Callable[[str], None]
) -> None:
    """`grader worker`: check this machine can grade, then grade until stopped."""
    if sandbox == "docker":
        say(docker_ready(say))
    asyncio.run(_serve(scheduler, jobs, GradingWorker(sandbox, cache_dir), say))


async def _serve(scheduler: str, jobs: int, plugin: GradingWorker, say) -> None:
    async with Worker(
        scheduler, nthreads=int(jobs / SHARE), resources={SLOT: jobs}, plugins=(plugin,)
    ) as worker:
        say(
            f"worker {worker.address}: {jobs} grading slot(s), {plugin.sandbox} sandbox, "
            f"grading for {scheduler}"
        )
        await worker.finished()
