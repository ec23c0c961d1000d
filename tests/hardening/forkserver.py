"""Run hardening cases in fresh, bounded processes and measure each one.

A server process imports archspec once (about 40 MiB), then forks one child per case. The
child caps its address space (``RLIMIT_AS``), runs the case and reports the outcome through a
pipe; the server adds the child's peak RSS from ``wait4``. Forking keeps each case cheap (no
interpreter start-up) while every case still starts from the same clean state.

    python -m tests.hardening.forkserver                 # every case, as a table
    python -m tests.hardening.forkserver --serve         # read case names on stdin (tests)
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AS_LIMIT = 3 * 2**29             # 1.5 GiB of address space: a guard, not the bound tested
TORCH_AS_EXTRA = 2**30           # build cases: what torch mapped, plus 1 GiB


def warm_up() -> None:
    """Import what every case needs, so a case's time is its own (lark tables, primitives)."""
    import archspec
    from archspec.ops.registry import load_all
    load_all()
    archspec.load("network n {\n  input x: [3, 8, 8]\n  out x -> conv(4, 3) -> relu\n}\n")
    from archspec.frontend.yaml import parse_yaml  # noqa: F401


def run_case(name: str, workdir: Path) -> dict[str, Any]:
    """Fork, run ``name`` in the child under the limits, return its outcome and costs."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        payload = child(name, workdir)
        with os.fdopen(write_fd, "w") as out:
            out.write(json.dumps(payload))
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        text = pipe.read()
    _, status, usage = os.wait4(pid, 0)
    result = json.loads(text) if text else {"outcome": "crash", "status": status}
    result["maxrss_mib"] = usage.ru_maxrss / 1024
    result["status"] = status
    return result


def child(name: str, workdir: Path) -> dict[str, Any]:
    from tests.hardening.cases import CASES
    case = CASES[name]
    case_dir = workdir / name
    case_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(case_dir)
    base = {}
    if case.torch:
        base = torch_baseline()
    else:
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
    stderr = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with redirect_stderr(stderr), redirect_stdout(io.StringIO()):
            value = case.run(case_dir)
        result = {"outcome": "ok", "value": value}
    except BaseException as err:  # noqa: BLE001 (everything is reported, never raised)
        result = describe_error(err)
    result["wall_s"] = time.perf_counter() - start
    result["cpu_s"] = time.process_time() - cpu
    result["stderr"] = stderr.getvalue()[-4000:]
    if case.torch:
        result.update(base, peak_after_torch_mib=vm_hwm_mib() - base["rss_after_torch_mib"])
    return result


def describe_error(err: BaseException) -> dict[str, Any]:
    from archspec.errors import SpecError, flatten
    if not isinstance(err, SpecError):
        return {"outcome": "exception", "type": type(err).__name__, "message": str(err)[:500],
                "traceback": traceback.format_exc()[-3000:]}
    errors = flatten(err)
    return {"outcome": "spec_error", "errors": [
        {"kind": e.kind, "message": e.message, "hint": e.hint, "file": e.span.file,
         "line": e.span.line, "col": e.span.col, "notes": [n.message for n in e.notes]}
        for e in errors], "format": err.format()[:6000]}


def torch_baseline() -> dict[str, float]:
    """Import torch, then reset the peak-RSS mark so the case's own peak can be read."""
    start = time.perf_counter()
    import torch  # noqa: F401
    took = time.perf_counter() - start
    vm_size = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = vm_size + TORCH_AS_EXTRA
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    rss = vm_rss_mib()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    return {"torch_import_s": took, "rss_after_torch_mib": rss}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def vm_rss_mib() -> float:
    return _status_kib("VmRSS") / 1024


def vm_hwm_mib() -> float:
    return _status_kib("VmHWM") / 1024


def serve(workdir: Path) -> None:
    """One JSON line per case name read from stdin."""
    for line in sys.stdin:
        name = line.strip()
        if name:
            print(json.dumps({"name": name, **run_case(name, workdir)}), flush=True)


def table(workdir: Path, names: list[str]) -> None:
    from tests.hardening.cases import CASES
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'case':<26} {'outcome':<11} {'wall s':>6} {'cpu s':>6} {'peak MiB':>8}  first error")
    for name in names or list(CASES):
        r = run_case(name, workdir)
        first = r.get("errors", [{}])[0] if r["outcome"] == "spec_error" else {}
        peak = r.get("peak_after_torch_mib", r["maxrss_mib"])
        what = (f"{first.get('kind')} {first.get('line')}:{first.get('col')} "
                f"{first.get('message', '')}" if first else r.get("type", r.get("value", "")))
        print(f"{name:<26} {r['outcome']:<11} {r.get('wall_s', 0):6.2f} {r.get('cpu_s', 0):6.2f} "
              f"{peak:8.1f}  {str(what)[:80]}", flush=True)


def main() -> None:
    import tempfile
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("ARCHSPEC_CACHE", "off")
    warm_up()
    with tempfile.TemporaryDirectory(prefix="archspec-hardening-") as tmp:
        if "--serve" in sys.argv:
            serve(Path(tmp))
        else:
            table(Path(tmp), [a for a in sys.argv[1:] if not a.startswith("-")])


if __name__ == "__main__":
    main()
