"""How long the default `nox` takes, session by session, from a fresh clone (run: python benchmarks/sessions.py).

Clones this repository's HEAD into a temporary folder (no .nox: every virtualenv is built from
nothing; the uv and pip caches and the Docker images are the machine's), then for each session of
the default run, in its order: `nox -s SESSION --install-only` (the setup: virtualenv and install),
then `nox -s SESSION --no-install` (the checks). Prints each session's two times, its outcome and
the machine's 5-minute load average as it ended (others' work counts: figures from a busy machine
are not comparable), and the whole run's; each session's output goes to
``$TMPDIR/mrp-sessions-NAME.log``. ``-s NAME ...`` times those sessions only; ``--here`` times this
checkout instead of a clone (its .nox reused: the warm figures). ``--whole`` times the default `nox` instead
(``all``: the sessions in two lanes side by side), and prints each session's time as ``all`` reported it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_sessions(checkout: Path) -> list[str]:
    """The default run's sessions, in order, as noxfile.py's `DEFAULT` lists them."""
    code = "import noxfile; print(' '.join(noxfile.DEFAULT))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.split()


def log_of(session: str) -> Path:
    """Where a session's output goes (kept after the clone is gone)."""
    return Path(tempfile.gettempdir()) / f"mrp-sessions-{session}.log"


def timed_nox(checkout: Path, session: str = "all", *flags: str) -> tuple[float, int]:
    started = time.perf_counter()
    with log_of(session).open("a") as log:
        done = subprocess.run(
            [sys.executable, "-m", "nox", "-s", session, *flags],
            cwd=checkout, stdout=log, stderr=subprocess.STDOUT, check=False,
        )  # fmt: skip
    return time.perf_counter() - started, done.returncode


def measure(checkout: Path, sessions: list[str]) -> None:
    total_setup = total_run = 0.0
    print(f"{'session':<16} {'setup':>8} {'checks':>8} {'total':>8}  outcome", flush=True)
    for session in sessions:
        log_of(session).unlink(missing_ok=True)
        setup, status = timed_nox(checkout, session, "--install-only")
        run, status = (
            timed_nox(checkout, session, "--no-install", "--reuse-existing-virtualenvs")
            if status == 0
            else (0.0, status)
        )
        total_setup, total_run = total_setup + setup, total_run + run
        outcome = "ok" if status == 0 else f"exit status {status} ({log_of(session)})"
        load = os.getloadavg()[1]  # the machine's, others' work included: 2 means both cores busy
        print(f"{session:<16} {setup:>7.0f}s {run:>7.0f}s {setup + run:>7.0f}s  {outcome}, load {load:.1f}", flush=True)
    whole = total_setup + total_run
    print(f"{'whole run':<16} {total_setup:>7.0f}s {total_run:>7.0f}s {whole:>7.0f}s  ({whole / 60:.1f} min)")


#: How `nox -s all` reports a session as it ends (noxfile.py).
_ENDED = re.compile(r"^nox > (\S+) (passed|FAILED.*) in (\d+) s$", re.MULTILINE)


def measure_whole(checkout: Path) -> None:
    """The default `nox` as one command: its wall time, and each session's as `all` printed it."""
    log_of("all").unlink(missing_ok=True)
    whole, status = timed_nox(checkout)
    ended = _ENDED.findall(log_of("all").read_text(errors="replace"))
    for session, outcome, seconds in ended:
        print(f"{session:<16} {int(seconds):>7}s  {outcome}", flush=True)
    outcome = "ok" if status == 0 else f"exit status {status} ({log_of('all')})"
    print(f"{'whole run':<16} {whole:>7.0f}s  ({whole / 60:.1f} min) {outcome}, load {os.getloadavg()[1]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--sessions", nargs="+", help="time these sessions only")
    parser.add_argument("--here", action="store_true", help="time this checkout, not a fresh clone")
    parser.add_argument("--whole", action="store_true", help="time the default nox (two lanes) as one command")
    args = parser.parse_args()
    if args.here:
        if args.whole:
            measure_whole(ROOT)
        else:
            measure(ROOT, args.sessions or default_sessions(ROOT))
        return
    with tempfile.TemporaryDirectory(prefix="mrp-clone-") as folder:
        checkout = Path(folder) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True)
        print(f"fresh clone of {commit.stdout.strip()} in {checkout}", flush=True)
        if args.whole:
            measure_whole(checkout)
        else:
            measure(checkout, args.sessions or default_sessions(checkout))


if __name__ == "__main__":
    main()
