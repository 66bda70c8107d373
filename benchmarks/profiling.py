"""Where the time goes, from pyinstrument sessions: self time grouped by package (budgettui's
own by subpackage; waiting in the event loop's selector is "idle / waiting on the network"),
and the functions with the most self time."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WAITING = "idle / waiting on the network"


@dataclass(frozen=True)
class Profile:
    total: float
    imports: float
    by_package: list[tuple[str, float]]
    by_function: list[tuple[str, float]]


def package_of(path: str, function: str) -> str:
    """Site-packages by distribution folder, budgettui by subpackage, the standard library by
    module ("stdlib json")."""
    path = path.replace("\\", "/")
    if function in ("epoll.poll", "select.select", "poll", "select") and (
        path.endswith("selectors.py") or path.startswith("<")
    ):
        return WAITING
    if path.startswith("<frozen importlib"):
        return "importing"
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/budgettui/" in path:
        parts = path.rsplit("/budgettui/", 1)[1].split("/")
        return "budgettui." + parts[0].removesuffix(".py")
    if "/benchmarks/" in path:
        return "the benchmark's pilot"
    if "/lib/python3" in path:
        module = path.split("/lib/python3", 1)[1].split("/", 2)[1]
        return f"stdlib {module.removesuffix('.py')}"
    return "interpreter"


def _self_times(frame: Any, owner: tuple[str, str], into: dict[tuple[str, str], float]) -> None:
    """pyinstrument keeps a frame's own time in synthetic `[self]` children: it is the owner's.
    A built-in function's time goes to the package that called it (`len` in the domain is the
    domain's), except the event loop's wait."""
    if not frame.is_synthetic:
        path, function = frame.file_path or "", frame.function or "?"
        package = package_of(path, function)
        if path.startswith("<built-in>") and package != WAITING:
            package = owner[0]
        owner = (package, f"{function} ({Path(path or '?').name}:{frame.line_no})")
        own = frame.time - sum(child.time for child in frame.children)
        if own > 0:
            into[owner] += own
    elif not frame.children:
        into[owner] += frame.time
    for child in frame.children:
        _self_times(child, owner, into)


def _import_time(frame: Any) -> float:
    """Time inside the outermost imports (module bodies included)."""
    if frame.function == "_find_and_load":
        return float(frame.time)
    return sum(_import_time(child) for child in frame.children)


def summarize(session_file: Path, top: int = 8) -> Profile:
    from pyinstrument.session import Session

    root = Session.load(str(session_file)).root_frame()
    if root is None:
        return Profile(0.0, 0.0, [], [])
    times: dict[tuple[str, str], float] = collections.defaultdict(float)
    _self_times(root, ("interpreter", "?"), times)
    packages: dict[str, float] = collections.defaultdict(float)
    for (package, _), seconds in times.items():
        packages[package] += seconds
    by_package = sorted(packages.items(), key=lambda item: -item[1])[:top]
    by_function = sorted(
        ((f"{package}: {name}", seconds) for (package, name), seconds in times.items()),
        key=lambda item: -item[1],
    )[:top]
    return Profile(root.time, _import_time(root), by_package, by_function)


def markdown(title: str, profile: Profile) -> str:
    if profile.total <= 0:
        return f"- {title}: no samples"
    share = ", ".join(
        f"{name} {seconds:.2f} s ({seconds / profile.total:.0%})"
        for name, seconds in profile.by_package
    )
    functions = "; ".join(f"{name} {seconds:.2f} s" for name, seconds in profile.by_function[:5])
    return (
        f"- {title} ({profile.total:.1f} s sampled, {profile.imports:.2f} s of it importing): "
        f"{share}.\n"
        f"  Most self time: {functions}."
    )
