"""`urne verify`, `urne simulate` (and `urne trustee`, `urne trustees`): the protocol's commands,
without Django.

The command-line side of the protocol core (`urne.crypto`, which knows nothing of terminals or
arguments). `urne.cli` hands them over with `main(command, args)`, which returns the exit code:

- ``urne verify PATH [--json] [--jobs N] [--since FINGERPRINT]``: verify a scrutin's archive
  (`urne.crypto.verifier`); with ``--since``, also that it continues an archive verified before.
  PATH is a ``.bel`` file (any name) or a folder holding exactly one. Exit 0 and a summary when
  every check holds; 1 and the first failing check in words when one fails; 2 when PATH is not
  something to verify (missing, not an archive, truncated, a folder with none or several).
- ``urne simulate --voters N --lists K [--blank] [--trustees N] [--threshold T] [--seed S]
  [--stage open|closed|tallied] [--jobs N] [--json] --out FILE.bel``: run a whole election with
  urne's own code and write its archive (`urne.crypto.simulate`). Exit 0, or 2 for bad
  parameters.

- ``urne trustee keygen`` and ``urne trustees combine|threshold``: the bureau's keys, made
  offline (`urne.cli.trustees`).
- ``urne seats --seats N [--json] LIST=VOTES ...``: the seats of titulaires from the counts
  alone (`urne.cli.seats`, `urne.counting.seats`).

Messages are in English, as the protocol core's. A progress bar goes to the standard error when
it is a terminal; ``--json`` prints one JSON object on the standard output instead of the text.

What an archive says (election name, questions, list names) is anyone's text: a control
character in it (ESC, CR, a bidirectional override...) could make a terminal show other counts
than those verified. Every such text is printed inert, its control characters written as visible
escapes (``\x1b``, ``\r``, ``\u202e``) by `inert`; the JSON output escapes them as JSON does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from urne.crypto.archive import ArchiveReader, InvalidArchive
from urne.crypto.errors import UnsupportedElection
from urne.crypto.verifier import Summary, VerificationFailed, count_ballots, verify_records
from urne.text import is_invisible

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """What was given cannot be verified or simulated at all (exit code 2)."""


class ProgressBar:
    """A one-line progress bar on a terminal: plain text, redrawn at most ten times a second."""

    def __init__(self, label: str, stream: IO[str]) -> None:
        self.label = label
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.visible = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn < 0.1:
            return
        self.drawn = now
        total = max(total, done, 1)
        width = 30
        filled = width * done // total
        elapsed = now - self.started
        remaining = elapsed * (total - done) / done if done else 0.0
        line = (
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"{100 * done // total:3d}%  {elapsed:5.1f} s, about {remaining:5.1f} s left "
        )
        self.stream.write(line)
        self.stream.flush()
        self.visible = True

    def close(self) -> None:
        if self.visible:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self.visible = False


def _progress(label: str) -> ProgressBar | None:
    """A progress bar on the standard error, if it is a terminal."""
    stream = sys.stderr
    if not stream.isatty():
        return None
    return ProgressBar(label, stream)


class _Parser(argparse.ArgumentParser):
    """argparse, with errors raised as `BadInput` (printed by `main`, exit code 2)."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{self.prog}: {message}")


def _whole(minimum: int, refusal: str, floor: str) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum` (`refusal` names what was
    expected, `floor` says the minimum, in the error message)."""

    def read(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{refusal}: {value!r}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(floor)
        return number

    return read


_jobs = _whole(1, "not a number of processes", "at least one process")
_count = _whole(0, "not a whole number", "a number of at least 0")


def _fingerprint(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(character not in "0123456789abcdef" for character in text):
        raise argparse.ArgumentTypeError("a fingerprint is 64 hexadecimal digits")
    return text


# --- printing what an archive says ---------------------------------------------------------------


def inert(text: str) -> str:
    """`text` safe to print on a terminal: each character that could act on it or hide
    (`urne.text.is_invisible`) written as a Python escape, and backslashes doubled so that an
    escape shown always stands for such a character, never for the text itself."""
    return "".join(
        "\\\\"
        if character == "\\"
        else (
            character.encode("unicode_escape").decode("ascii")
            if is_invisible(character)
            else character
        )
        for character in text
    )


def _json_inert(text: str) -> str:
    """JSON text with the invisible characters (`urne.text.is_invisible`) written as
    ``\\uXXXX`` escapes (the value read back is the same; outside strings JSON text has none of
    them): `json.dumps` escapes only those below U+0020 when it keeps non-ASCII text as it is."""
    return "".join(
        character
        if not is_invisible(character)
        else "".join(f"\\u{unit:04x}" for unit in _utf16(character))
        for character in text
    )


def _utf16(character: str) -> list[int]:
    data = character.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


# --- urne verify ---------------------------------------------------------------------------------


def find_archive(path: Path) -> Path:
    """The archive to verify: `path` itself, or the only ``.bel`` file of the folder `path`."""
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder")
    if path.is_dir():
        found = sorted(entry for entry in path.glob("*.bel") if entry.is_file())
        if not found:
            raise BadInput(f"{path}: no .bel archive in this folder")
        if len(found) > 1:
            names = ", ".join(entry.name for entry in found)
            raise BadInput(f"{path}: several .bel archives in this folder ({names}); name one")
        return found[0]
    if not path.is_file():
        raise BadInput(f"{path}: not a file")
    return path


def format_summary(archive: Path, summary: Summary) -> str:
    """The text `urne verify` prints for a verified archive; what the archive says is `inert`."""
    stage = {
        "open": "the vote is open (no tally yet)",
        "closed": "the vote is closed, not tallied yet",
        "tallied": "tallied",
    }[summary.stage]
    lines = [
        f"Archive {inert(str(archive))}",
        f"Election « {inert(summary.name)} » ({inert(summary.uuid)}): {stage}.",
        f"Every check passed: {summary.voters} voters, {summary.ballots} ballots"
        + (
            f" (total weight {summary.total_weight})"
            if summary.total_weight != summary.ballots
            else ""
        )
        + ", one ballot per voter at most.",
    ]
    if summary.result is not None:
        lines.append("Result:")
        for (question, answers, blank), counts in zip(
            summary.questions, summary.result.counts, strict=True
        ):
            lines.append(f"  {inert(question)}")
            labels = (["Blank"] if blank else []) + [inert(answer) for answer in answers]
            width = max(len(label) for label in labels)
            lines += [
                f"    {label:<{width}}  {count:>8}"
                for label, count in zip(labels, counts, strict=True)
            ]
    lines.append(f"Archive fingerprint (last of {summary.events} events): {summary.fingerprint}")
    lines.append(f"Verified in {summary.seconds:.1f} s.")
    return "\n".join(lines)


def verify(args: Sequence[str]) -> int:
    parser = _Parser(
        prog="urne verify",
        description="Verify a scrutin's public archive (.bel): setup, ballots, tally, result.",
    )
    parser.add_argument("path", type=Path, help="a .bel archive, or a folder holding one")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--jobs", type=_jobs, default=None, help="processes checking ballots (default: one a core)"
    )
    parser.add_argument(
        "--since",
        type=_fingerprint,
        default=None,
        metavar="FINGERPRINT",
        help="the fingerprint of an archive verified earlier: check that this one continues it",
    )
    options = parser.parse_args(list(args))
    archive = find_archive(options.path)
    try:
        expected = count_ballots(archive)
    except (InvalidArchive, UnsupportedElection) as error:
        raise BadInput(f"{archive}: not a complete Belenios archive: {error}") from None
    except OSError as error:
        raise BadInput(f"{archive}: cannot be read: {error.strerror}") from None
    bar = _progress("Checking ballots")
    try:
        with ArchiveReader.open(archive) as reader:
            summary = verify_records(
                reader.records(), options.jobs, bar, expected, earlier=options.since
            )
    except InvalidArchive as error:  # the file changed since it was scanned
        raise BadInput(f"{archive}: not a complete Belenios archive: {error}") from None
    except VerificationFailed as error:
        if bar is not None:
            bar.close()
        if options.json:
            _print_json(
                {
                    "ok": False,
                    "archive": str(archive),
                    "check": error.check.value,
                    "ballot": error.ballot,
                    "message": error.message,
                }
            )
        else:
            print(f"Archive {inert(str(archive))}\nVERIFICATION FAILED: {inert(error.message)}")
        return EXIT_FAILED
    finally:
        if bar is not None:
            bar.close()
    if options.json:
        _print_json({**summary.to_json(), "archive": str(archive)})
    else:
        print(format_summary(archive, summary))
    return EXIT_OK


# --- urne simulate -------------------------------------------------------------------------------


def run_simulation(args: Sequence[str]) -> int:
    # Imported here: `urne verify`, which an auditor runs, need not load the simulator (and the
    # trustees' key-share encryption it brings).
    from urne.crypto.simulate import (
        SimulationError,
        SimulationSpec,
        Stage,
        simulate,
        write_simulation,
    )

    parser = _Parser(
        prog="urne simulate",
        description="Run a whole election with urne's own code and write its archive (.bel).",
    )
    parser.add_argument("--voters", type=_count, required=True, help="voters, each votes once")
    parser.add_argument("--lists", type=_count, required=True, help="lists of the scrutin")
    parser.add_argument("--blank", action="store_true", help="allow blank votes")
    parser.add_argument("--trustees", type=_count, default=1, help="trustees (default 1)")
    parser.add_argument(
        "--threshold", type=_count, default=None, help="threshold ceremony: T of the trustees"
    )
    parser.add_argument("--seed", type=int, default=None, help="reproducible uuid and votes")
    parser.add_argument(
        "--stage",
        choices=[stage.value for stage in Stage],
        default=Stage.TALLIED.value,
        help="how far the archive goes (default: tallied)",
    )
    parser.add_argument("--jobs", type=_jobs, default=None, help="processes making ballots")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, required=True, help="the archive to write")
    options = parser.parse_args(list(args))
    folder = options.out.resolve().parent
    if not folder.is_dir():
        raise BadInput(f"{options.out}: the folder {folder} does not exist")
    if options.out.is_dir():
        raise BadInput(f"{options.out}: is a folder; give a file name such as election.bel")
    spec = SimulationSpec(
        voters=options.voters,
        lists=options.lists,
        blank=options.blank,
        trustees=options.trustees,
        threshold=options.threshold,
        seed=options.seed,
    )
    try:
        spec.check()
    except SimulationError as error:
        raise BadInput(f"urne simulate: {error}") from None
    bar = _progress("Making ballots")
    try:
        simulated = simulate(spec, jobs=options.jobs, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    try:
        write_simulation(simulated, options.out, Stage(options.stage))
    except OSError as error:
        raise BadInput(f"{options.out}: cannot be written: {error.strerror}") from None
    timings = {key: round(value, 3) for key, value in simulated.timings.items()}
    counts = [list(row) for row in simulated.result.counts]
    if options.json:
        _print_json(
            {
                "archive": str(options.out),
                "uuid": simulated.election.uuid,
                "voters": spec.voters,
                "ballots": len(simulated.ballots),
                "stage": options.stage,
                "result": counts,
                "seconds": timings,
            }
        )
    else:
        print(
            f"Wrote {options.out} ({options.stage}): election {simulated.election.uuid}, "
            f"{len(simulated.ballots)} ballots.\n"
            f"Result: {json.dumps(counts)}"
            + (" (blank first)" if spec.blank else "")
            + "\n"
            + "Seconds: "
            + ", ".join(f"{key} {value:.2f}" for key, value in timings.items())
        )
    return EXIT_OK


def _print_json(value: dict[str, Any]) -> None:
    print(_json_inert(json.dumps(value, ensure_ascii=False)))


def _trustee(args: Sequence[str]) -> int:
    from urne.cli import trustees  # it imports this module

    return trustees.trustee(args)


def _trustees(args: Sequence[str]) -> int:
    from urne.cli import trustees

    return trustees.trustees(args)


def _seats(args: Sequence[str]) -> int:
    from urne.cli import seats  # it imports this module

    return seats.seats(args)


COMMANDS = {
    "verify": verify,
    "simulate": run_simulation,
    "trustee": _trustee,
    "trustees": _trustees,
    "seats": _seats,
}


def main(command: str, args: list[str]) -> int:
    """Run ``urne COMMAND ARGS``; returns the exit code."""
    handler = COMMANDS.get(command)
    if handler is None:
        print(f"urne: unknown command {command!r}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return handler(args)
    except BadInput as error:
        print(inert(str(error)), file=sys.stderr)
        if "--json" in args:
            _print_json({"ok": False, "error": "bad-input", "message": str(error)})
        return EXIT_BAD_INPUT
    except SystemExit as stop:  # --help
        return stop.code if isinstance(stop.code, int) else EXIT_OK
    except KeyboardInterrupt:
        print("urne: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # pragma: no cover - the reader of our output went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
