"""The sandboxed child: `python -m apps.uploads.analysis analyse|repair PATH OUT_DIR [options]`.

Or prestarted: `python -m apps.uploads.analysis wait [KIND]` loads the libraries of that kind of part (mesh,
profile, solid), then reads the same arguments as one JSON list from its standard input (EOF: it exits).

Writes one JSON object to its standard output: {"ok": ...} or {"error": {"code": ..., "message": ...}}.
Everything else the libraries print (OpenCascade talks on stdout) is sent to stderr first, so the result can
always be parsed. The parent (`sandbox.py`) sets the CPU and memory limits before this starts.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import resource
import sys
import traceback
from pathlib import Path


def _memory_message() -> str:
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    allowed = f" than the {limit // (1024 * 1024):,} MB allowed" if limit > 0 else ""
    return f"The file needs more memory to analyse{allowed}. Simplify it or split it into parts."


def _output_message() -> str:
    from apps.uploads.analysis.limits import size_text

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    return f"The file's preview would be larger than {size_text(limit)}. Simplify it or split it into parts."


def _wait_for_arguments(kinds: list[str]) -> list[str] | None:
    """Load what an analysis of `kinds` imports, then wait for the file's arguments (None: none will come)."""
    from apps.uploads.analysis.core import preload
    from apps.uploads.analysis.result import PartKind

    for kind in kinds:
        preload(PartKind(kind))
    line = sys.stdin.readline()
    return json.loads(line) if line.strip() else None


def main(argv: list[str] | None = None) -> int:
    result_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the CAD libraries print goes to stderr
    sys.stdout = sys.stderr
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["wait"]:
        argv = _wait_for_arguments(argv[1:])
        if argv is None:
            return 0
    parser = argparse.ArgumentParser(prog="python -m apps.uploads.analysis")
    parser.add_argument("command", choices=["analyse", "repair"])
    parser.add_argument("path", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--units", choices=["mm", "inch"])
    parser.add_argument("--filename")
    parser.add_argument("--limits", default="{}", help="Limits as JSON")
    arguments = parser.parse_args(argv)

    from apps.uploads.analysis.limits import Limits
    from apps.uploads.analysis.result import AnalysisError, Units

    units = Units(arguments.units) if arguments.units else None
    limits = Limits.from_json(json.loads(arguments.limits))
    try:
        if arguments.command == "analyse":
            from apps.uploads.analysis.core import analyse

            payload = {
                "ok": analyse(arguments.path, arguments.out_dir, units, limits, arguments.filename).to_json()
            }
        else:
            from apps.uploads.analysis.core import repair

            payload = {
                "ok": repair(arguments.path, arguments.out_dir, units, limits, arguments.filename).to_json()
            }
    except AnalysisError as error:
        payload = {"error": {"code": error.code, "message": error.message}}
    except MemoryError:
        payload = {"error": {"code": "too_complex", "message": _memory_message()}}
    except Exception as error:
        if "failed to map segment" in str(error) or "Cannot allocate memory" in str(error):
            payload = {"error": {"code": "too_complex", "message": _memory_message()}}
        elif (
            isinstance(error, OSError) and error.errno == errno.EFBIG
        ):  # Python ignores SIGXFSZ: the write fails
            payload = {"error": {"code": "too_complex", "message": _output_message()}}
        else:
            traceback.print_exc()  # to stderr: the worker logs the tail
            payload = {
                "error": {
                    "code": "crashed",
                    "message": f"The analyser failed on this file ({type(error).__name__}). It may be damaged; "
                    "export it again, or send it to us.",
                }
            }
    json.dump(payload, result_stream)
    result_stream.flush()
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # The answer is written and flushed, every file closed: skip the interpreter's teardown, which after
    # OpenCascade costs about 0.3 s of CPU that the worker would wait for.
    os._exit(code)
