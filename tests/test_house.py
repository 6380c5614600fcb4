"""The house plan holds: no import circle in the service, the domain never imports the workers,
every reaction has its follower and every job its function, AT's words stay in the gateway,
and every status word written or compared is one the record defines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sms_service"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the service that `name` imports, at the top or inside a function."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]

    def resolve(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(
                package[: len(package) - node.level + 1] + [node.module]
                if node.level and node.module
                else package[: len(package) - node.level + 1]
                if node.level
                else [node.module or ""]
            )
            for alias in node.names:
                target = resolve(f"{base}.{alias.name}") if f"{base}.{alias.name}" in known else resolve(base)
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(resolve(alias.name) for alias in node.names)
    return {m for m in found if m and m != name and m.split(".")[0] == "sms_service"}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_the_import_graph_has_no_circle():
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    assert sum(map(len, graph.values())) > 300  # the graph was read (a broken reader finds nothing)
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_service_never_imports_the_workers():
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            named = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            assert not [n for n in named if n.split(".")[0] == "workers"], name


def test_every_reaction_has_its_follower_once_wired():
    from sms_service import bootstrap, reactions
    from sms_service.outbound.messages import FOLLOWED

    bootstrap.wire()
    assert reactions.unfollowed() == set()
    assert {f"message_outcome:{purpose}" for purpose in FOLLOWED} <= reactions.KNOWN
    with pytest.raises(ValueError):
        reactions.on("message_outcome:nothing_like_it", print)


def test_every_job_is_run_by_the_function_its_name_finds():
    from rq.utils import import_attribute

    from sms_service.jobs import JOBS

    assert len(JOBS) == 4
    for name, job in JOBS.items():
        function = import_attribute(name)
        assert callable(function) and f"{function.__module__}.{function.__qualname__}" == name
        assert job.timeout > 0 and job.queue in (None, "realtime", "bulk", "default")


def test_a_function_cannot_claim_another_job():
    from sms_service.jobs import HEARTBEAT

    def elsewhere():
        pass

    with pytest.raises(RuntimeError):
        HEARTBEAT.runs(elsewhere)


AT_WORDS = ('"CON ', '"END ', "phoneNumber", "sessionId", "networkCode", "linkId")


def test_africas_talking_words_stay_in_the_gateway():
    """The adapter reads AT's forms into records and writes its answers; the webhooks name only
    the fields they must refuse early (none here), and nothing else in the service sees them."""
    for name, path in modules().items():
        if name.startswith("sms_service.gateway"):
            continue
        text = path.read_text()
        assert [w for w in AT_WORDS if w in text] == [], name


def status_words_used() -> dict[str, set[str]]:
    """Every string compared with a `….status`, given to `status=` or `.status.in_(…)`."""
    used: dict[str, set[str]] = {}

    def strings(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return [s for e in node.elts for s in strings(e)]
        return []

    def is_status(node) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "status"

    for name, path in modules().items():
        if ".migrations" in name or name.startswith("sms_service.gateway"):
            continue  # migrations keep their own words; the gateway's are the provider's
        for node in ast.walk(ast.parse(path.read_text())):
            found = []
            if isinstance(node, ast.Compare) and any(is_status(s) for s in [node.left, *node.comparators]):
                found = [s for side in [node.left, *node.comparators] for s in strings(side)]
            elif (
                isinstance(node, ast.Assign)
                and any(is_status(t) for t in node.targets)
                or isinstance(node, ast.keyword)
                and node.arg == "status"
            ):
                found = strings(node.value)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "in_"
                and is_status(node.func.value)
            ):
                found = [s for a in node.args for s in strings(a)]
            for word in found:
                used.setdefault(word, set()).add(name)
    return used


def test_every_status_word_in_the_code_is_one_the_record_defines():
    from sms_service.models.statuses import ALL

    defined = {str(member) for kind in ALL for member in kind}
    used = status_words_used()
    assert {"open", "queued", "cancelled"} <= set(used)  # the reader finds them
    assert {word: sorted(where) for word, where in used.items() if word not in defined | {"ok"}} == {}  # ok: /healthz
