"""The Gradescope autograder bundle: setup.sh installs Python and this grader, and
run_autograder grades /autograder/submission in the local sandbox (Gradescope already runs
each submission in a container of its own) and writes results/results.json."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..resources import write_project
from .suite_copy import copy_assignment

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3.11 python3.11-venv gcc make libc6-dev
python3.11 -m venv /autograder/venv
/autograder/venv/bin/pip install /autograder/source/grader
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission; the result goes to results/results.json.
set -uo pipefail
root="${{AUTOGRADER_ROOT:-/autograder}}"
grader="${{GRADER:-$root/venv/bin/grader}}"
"$grader" run "$root/submission" -a {name} --suite "$root/source/grading.yml" \\
    --sandbox local --force -o "$root/results/stored" \\
    --format gradescope > "$root/results/results.json"
"""


def bundle(suite_file: Path, name: str, out: Path) -> Path:
    """Write out/autograder.zip, with the whole assignment (hidden checks included)."""
    staging = out / "autograder"
    shutil.rmtree(staging, ignore_errors=True)
    copy_assignment(suite_file, name, staging, hidden=True)
    write_project(staging / "grader")
    (staging / "setup.sh").write_text(SETUP)
    (staging / "run_autograder").write_text(RUN.format(name=name))
    for script in ("setup.sh", "run_autograder"):
        (staging / script).chmod(0o755)
    archive = out / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, path.relative_to(staging))
                with path.open("rb") as f:
                    z.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
    return archive
