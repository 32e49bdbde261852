"""The `grader` command."""

from __future__ import annotations

import fnmatch
import gc
import os
import signal
import sys
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click
from rich.console import Console

from . import __version__, rerun
from .batch import grade_batch, in_flight
from .discover import LayoutError, find_submissions
from .grade import sandbox_limits
from .reference import References, default_cache_dir
from .report import escape, formats, terminal
from .report.check_list import check_table
from .report.formats import FORMATS, PER_SUBMISSION
from .report.progress import BatchProgress
from .result_store import DEFAULT_FOLDER, ResultStore, Unwritable, grading_key
from .sandbox import SandboxError, containers, docker_sandbox, image
from .sandbox.choose import Choice, NoSandbox, choose, local
from .suite import Suite, SuiteError, load_suite
from .suite.find import STUDENT_FOLDER, find_suite

SUITE_FILE = "grading.yml"


def _find_suite(given: Path | None, start: Path) -> Path:
    if given:
        return given
    found = find_suite(start)
    if found is None:
        raise click.UsageError(
            f"no {SUITE_FILE} found here, in {start} or above it, nor in a {STUDENT_FOLDER}/ "
            "folder there: pass --suite FILE (a course repository's public suite is "
            f"{STUDENT_FOLDER}/{SUITE_FILE})"
        )
    return found


def _load(path: Path) -> Suite:
    try:
        return load_suite(path)
    except SuiteError as e:
        click.echo(str(e), err=True)
        sys.exit(2)


def _pick_assignment(suite: Suite, path: Path, name: str | None):
    names = list(suite.assignments)
    if name:
        if name not in suite.assignments:
            raise click.UsageError(
                f"no assignment {name!r} in the suite (it has {', '.join(names)})"
            )
        return suite.assignments[name]
    resolved = path.resolve()
    for candidate in (resolved.name, resolved.parent.name):
        if candidate in suite.assignments:
            return suite.assignments[candidate]
    if len(names) == 1:
        return suite.assignments[names[0]]
    raise click.UsageError(
        f"cannot tell which assignment {path} is: name the folder after it or pass "
        f"--assignment (one of {', '.join(names)})"
    )


def _select(checks: list, patterns: tuple[str, ...], extensions: bool) -> list:
    if not patterns:
        return list(checks)
    wanted = [p for arg in patterns for p in arg.split(",") if p]

    def matches(check_id: str) -> bool:
        return any(fnmatch.fnmatch(check_id, p) or p in check_id for p in wanted)

    chosen = [c for c in checks if matches(c.id)]
    if not chosen:
        more = "" if extensions else " (extension checks run only with --extensions)"
        raise click.UsageError(f"no check matches -k {' '.join(patterns)}{more}")
    return chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="grader")
def main() -> None:
    """Grade pipe, socket and web-server assignments against a reference implementation."""
    # What is imported by now lives until the end: spare the collector from walking it at
    # every full collection and once more at exit (a tenth of a second per run).
    gc.freeze()


def _selection_options(command):
    """What `run` and `list` share: the submission, its suite and assignment, the checks."""
    for option in reversed(
        [
            click.argument(
                "path",
                required=False,
                default=Path("."),
                type=click.Path(exists=True, path_type=Path),
            ),
            click.option(
                "-a", "--assignment", help="Assignment name (default: from the folder name)."
            ),
            click.option(
                "-k",
                "patterns",
                multiple=True,
                metavar="PATTERN",
                help="Only checks whose id contains PATTERN or matches it as a glob.",
            ),
            click.option(
                "--suite",
                type=click.Path(dir_okay=False, path_type=Path),
                help=f"The course suite (default: {SUITE_FILE} or {STUDENT_FOLDER}/{SUITE_FILE}, "
                "here or in the submission's folder or a parent).",
            ),
            click.option(
                "--extensions",
                is_flag=True,
                help="Also the checks of category extension: what a handout asks beyond the "
                "course it is compatible with (they are off by default).",
            ),
        ]
    ):
        command = option(command)
    return command


def _selected(path: Path, suite: Path | None, assignment: str | None, patterns, extensions):
    """The suite, its assignment, the checks a run grades, and how many extension checks it
    leaves out."""
    loaded = _load(_find_suite(suite, path))
    chosen = _pick_assignment(loaded, path, assignment)
    runnable = chosen.checks_to_run(extensions)
    picked = _select(runnable, patterns, extensions)
    return loaded, chosen, picked, len(chosen.checks) - len(runnable)


@main.command(name="list")
@_selection_options
def list_checks(
    path: Path,
    assignment: str | None,
    patterns: tuple[str, ...],
    suite: Path | None,
    extensions: bool,
) -> None:
    """List the checks `grader run PATH` grades (default: the current folder), with their
    points, category and the checks they need, without building anything."""
    _, chosen, checks, left_out = _selected(path, suite, assignment, patterns, extensions)
    Console().print(check_table(chosen, checks, left_out))


@main.command()
@_selection_options
@click.option("--list", "listing", is_flag=True, help="List the checks, as `grader list` does.")
@click.option(
    "--failed",
    is_flag=True,
    help="Grade again only the checks that did not pass in the stored result; the others "
    "keep their last verdict.",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also print every socket connection's transcript, beside the reference's.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="terminal",
    show_default=True,
    help="On stdout: json and gradescope, one document per submission as each is graded; "
    "csv (gradebook), junit, html (class report) and github (step summary, and the Classroom "
    "result) for the whole run at its end, also saved next to the results.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where each submission's JSON result is stored the moment it is graded, as "
    "OUTPUT/<name>.json (default: grader-results/<assignment>). A run that stops resumes "
    "from there; an unchanged submission is not graded again.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any check did not pass (for CI).")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the machine's cores",
    help="Submissions whose checks run at once (as many more are built meanwhile); a lone "
    "submission runs two of its checks at once when N > 1.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Grade again even submissions whose stored result is up to date.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where reference observations are cached.",
)
@click.option("--no-cache", is_flag=True, help="Recompute the reference's observations.")
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "docker", "local"]),
    default="auto",
    show_default=True,
    help="auto: Docker when a daemon answers; a single submission may fall back to local "
    "(with a warning), a batch never does.",
)
@click.option(
    "--cluster",
    metavar="tcp://HOST:8786",
    help="Grade on the workers of this Dask scheduler (`grader worker`); results are stored "
    "here as in a local run. Needs `pip install 'grader[cluster]'`.",
)
def run(
    path: Path,
    assignment: str | None,
    patterns: tuple[str, ...],
    suite: Path | None,
    extensions: bool,
    listing: bool,
    failed: bool,
    verbose: bool,
    fmt: str,
    output: Path | None,
    strict: bool,
    jobs: int,
    force: bool,
    cache_dir: Path | None,
    no_cache: bool,
    sandbox: str,
    cluster: str | None,
) -> None:
    """Grade PATH (default: the current folder): a submission (a folder with a Makefile), a
    folder of submissions, a zip of them, or a CSV roster (columns student and path)."""
    loaded, chosen, checks, left_out = _selected(path, suite, assignment, patterns, extensions)
    if listing:
        Console().print(check_table(chosen, checks, left_out))
        return
    try:
        submissions, batch = find_submissions(path)
    except (LayoutError, OSError, zipfile.BadZipFile) as e:
        raise click.UsageError(str(e)) from e
    formats.stop_workflow_commands()
    cache = None if no_cache else (cache_dir or default_cache_dir())
    # SIGINT too: a shell that starts a command in the background has it ignore SIGINT,
    # and a runner that cancels a job that way must still stop it cleanly.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    console = Console(stderr=fmt != "terminal")
    store = ResultStore(output or DEFAULT_FOLDER / chosen.name)
    try:
        store.ready()
    except Unwritable as e:
        raise click.UsageError(str(e)) from e
    if failed:
        checks = rerun.not_passed([rerun.last_result(store, s.name) for s in submissions], checks)
        if not checks:
            click.echo("every check passed when last graded: nothing to grade again", err=True)
            return
        runnable = [c.id for c in chosen.checks_to_run(extensions)]
        store, force = rerun.RerunStore(store, runnable), True
        console.print(
            f"[dim]grading again the {len(checks)} check(s) that did not pass when last "
            "graded; the others keep their stored verdicts[/dim]"
        )
    shown = threading.Lock()  # jobs finish in several threads

    try:
        with (
            _grader(cluster, loaded, chosen, checks, sandbox, batch, console, jobs, cache) as grade,
            BatchProgress(console, len(submissions), batch) as progress,
        ):

            def done(sub, result, stored: bool) -> None:
                with shown:
                    progress.done(sub, result, stored)
                    if fmt in PER_SUBMISSION:
                        click.echo(PER_SUBMISSION[fmt](result))
                    elif fmt == "terminal":
                        terminal.render(result, console, stored, verbose)

            results = grade(
                submissions, store=store, force=force, started=progress.started, done=done
            )
    except KeyboardInterrupt:
        containers.remove_all_mine()  # also those started before the sandbox was in hand
        click.echo("grader: interrupted; its containers are removed", err=True)
        sys.exit(130)
    except Unwritable as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(1)
    if batch:
        terminal.summary(results, console)
    document = formats.for_run(fmt, results, store.folder, f"{chosen.name}: {chosen.title}")
    if document is not None:
        click.echo(document, nl=False)
    if strict and not all(r.all_passed for r in results):
        sys.exit(1)


@contextmanager
def _grader(cluster, suite, chosen, checks, mode, batch, console, jobs, cache) -> Iterator:
    """What grades the batch: this machine's sandboxes, or the workers of a Dask cluster."""
    if cluster:
        dask = _cluster()
        say = lambda msg: console.print(escape.terminal(msg, "dim"))  # noqa: E731
        try:
            with dask.client.ClusterBatch(
                cluster, suite, chosen, checks, mode, cache is None, say
            ) as grade:
                yield grade
        except dask.ClusterError as e:
            click.echo(f"grader: {e}", err=True)
            sys.exit(3)
        return
    with (
        _sandbox(mode, batch, sandbox_limits(chosen, checks), console, jobs) as box,
        References(chosen, box.reference, cache) as references,
    ):
        grading = grading_key(chosen, checks, box.kind)
        yield partial(grade_batch, assignment=chosen, checks=checks, box=box,
                      references=references, grading=grading, jobs=jobs)  # fmt: skip


def _cluster():
    """The optional cluster package, or a clear word that Dask is not installed."""
    try:
        import grader.cluster.client
        import grader.cluster.worker
    except ImportError as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)
    return grader.cluster


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through every sandbox's cleanup


def _sandbox(mode: str, batch: bool, limits: dict, console: Console, jobs: int) -> Choice:
    try:
        say = lambda msg: console.print(f"[dim]{msg}[/dim]")  # noqa: E731
        box = choose(mode, batch, limits, say, in_flight(jobs))
    except NoSandbox as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)
    if box.warning:
        console.print(f"[bold red]WARNING:[/bold red] {box.warning}")
    return box


def _client():
    try:
        return docker_sandbox.client()
    except SandboxError as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)


@main.command()
@click.argument("scheduler", metavar="tcp://HOST:8786")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the machine's cores",
    help="Grading slots: submissions whose checks run at once here (as many more are built "
    "meanwhile).",
)
@click.option(
    "--sandbox",
    type=click.Choice(["docker", "local"]),
    default="docker",
    show_default=True,
    help="Where submissions run; a run grades only on workers of the sandbox it asks for.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where this worker caches the reference's observations.",
)
def worker(scheduler: str, jobs: int, sandbox: str, cache_dir: Path | None) -> None:
    """Grade for a Dask scheduler until stopped: checks that Docker answers and that the
    grading image matches this grader (building it if needed) first."""
    dask = _cluster()
    for sig in (signal.SIGTERM, signal.SIGHUP):  # stopped either way, it removes its containers
        signal.signal(sig, _interrupt)
    try:
        dask.worker.serve(scheduler, jobs, sandbox, cache_dir or default_cache_dir(), click.echo)
    except dask.ClusterError as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)
    except KeyboardInterrupt:
        sys.exit(130)


@main.group(name="image")
def image_group() -> None:
    """Build the grading image (Docker)."""


@image_group.command(name="build")
def image_build() -> None:
    """Build the grading image unless an identical one exists (bootstraps the base if needed)."""
    try:
        click.echo(image.build(_client(), click.echo))
    except image.ImageError as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)


@image_group.command(name="bootstrap")
def image_bootstrap() -> None:
    """Create the Debian base image offline with debootstrap (needs root)."""
    try:
        image.bootstrap(_client(), click.echo)
    except image.ImageError as e:
        click.echo(f"grader: {e}", err=True)
        sys.exit(3)


@main.group(name="export")
def export_group() -> None:
    """Write what Gradescope runs, or what students may see, for one assignment."""


def _export_options(what: str):
    """The arguments every export takes: the assignment, the suite, where to write."""

    def decorate(command):
        for option in reversed(
            [
                click.argument("assignment"),
                click.option(
                    "--suite",
                    type=click.Path(dir_okay=False, path_type=Path),
                    default=SUITE_FILE,
                    show_default=True,
                ),
                click.option(
                    "-o", "--output", type=click.Path(file_okay=False, path_type=Path), help=what
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


@export_group.command(name="gradescope")
@_export_options("Where to write autograder.zip (default: exports/ASSIGNMENT).")
def export_gradescope(assignment: str, suite: Path, output: Path | None) -> None:
    """The Gradescope autograder bundle (setup.sh, run_autograder, the suite, the reference)."""
    from .export import gradescope as gradescope_export  # only here: spares `run` its import

    _pick_assignment(_load(suite), Path(assignment), assignment)
    archive = gradescope_export.bundle(suite, assignment, output or Path("exports") / assignment)
    click.echo(f"wrote {archive}: upload it as the assignment's autograder on Gradescope")


@export_group.command(name="public")
@_export_options("Where to write the students' suite (default: exports/ASSIGNMENT-public).")
def export_public(assignment: str, suite: Path, output: Path | None) -> None:
    """The students' suite: no hidden checks, and the reference's observations instead of
    the reference (for the local sandbox, and for Docker when a daemon answers)."""
    from .export import public as public_export  # only here: spares `run` its import

    loaded = _load(suite)
    chosen = _pick_assignment(loaded, Path(assignment), assignment)
    out = output or Path("exports") / f"{assignment}-public"
    boxes = {"local": local().reference}
    try:
        docker = choose("docker", False, sandbox_limits(chosen, chosen.checks), click.echo)
    except NoSandbox as e:
        click.echo(f"no Docker ({e}): observations for the local sandbox only", err=True)
        docker = None
    try:
        if docker is not None:
            boxes["docker"] = docker.reference
        written = public_export.export(suite, assignment, out, boxes)
    finally:
        if docker is not None:
            docker.close()
    click.echo(f"wrote {out}/grading.yml with {written} reference observation(s)")


@main.command()
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also remove containers of runs that may still be going.",
)
def clean(everything: bool) -> None:
    """Remove grading containers left behind by interrupted or crashed runs."""
    removed = containers.clean(_client(), everything)
    click.echo(f"removed {removed} container(s)")


@main.command()
@click.option(
    "--suite",
    type=click.Path(dir_okay=False, path_type=Path),
    default=SUITE_FILE,
    show_default=True,
)
def lint(suite: Path) -> None:
    """Validate the suite without running anything."""
    loaded = _load(suite)
    checks = sum(len(a.checks) for a in loaded.assignments.values())
    click.echo(f"{suite}: ok ({len(loaded.assignments)} assignment(s), {checks} checks)")
