"""The Gradescope autograder bundle: setup.sh installs Python and this grader and makes the
users programs run as, and run_autograder grades /autograder/submission in the local sandbox
(Gradescope runs each submission in a container of its own, with no Docker in it) into
results/results.json (grader/export/gradescope_run.py)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from ..resources import write_project
from .gradescope_run import NOT_A_GRADE, message
from .suite_copy import copy_assignment

STUDENT, REFERENCE = "grader-student", "grader-reference"

SETUP = f"""\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends gcc make libc6-dev python3 python3-venv procps
python=python3
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv
    python=python3.11
fi
"$python" -m venv /autograder/venv
/autograder/venv/bin/pip install -q /autograder/source/grader
# Student programs (their build too) run as {STUDENT}, the reference as {REFERENCE}: neither
# may read the bundle, which holds the reference and the hidden checks.
for user in {STUDENT} {REFERENCE}; do
    id -u "$user" >/dev/null 2>&1 \\
        || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
done
chmod 700 /autograder/source
"""

# When even Python cannot start (the setup did not finish), this is results.json.
NOT_STARTED = json.dumps(
    message("The autograder could not start (its setup did not finish). " + NOT_A_GRADE)
)

RUN = f"""\
#!/usr/bin/env bash
# Gradescope runs this for every submission, as root. It always leaves one valid
# results/results.json (a failure of ours says so there) and exits 0.
results=/autograder/results/results.json
rm -f "$results"
export GRADER_LOCAL_STUDENT={STUDENT} GRADER_LOCAL_REFERENCE={REFERENCE}
/autograder/venv/bin/python -m grader.export.gradescope_run {{name}} \\
    || echo "run_autograder: the grader exited with status $?"
if [ ! -s "$results" ]; then
    mkdir -p /autograder/results
    cat > "$results" <<'END'
{NOT_STARTED.replace("{", "{{").replace("}", "}}")}
END
fi
exit 0
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
