"""Every benchmark of the issues, one after the other, and their figures written into
BENCHMARKS.md (between the `run_all` markers at its top): figure, target, ratio to the baseline
each issue names, and the machine. The sections below the table keep each benchmark's method
and history.

    .venv/bin/python bench/run_all.py [--databases sqlite,postgresql] [--only NAME,…] [--soak-minutes 10]

Takes about an hour with the soak (its own --soak-minutes). Each benchmark's raw output is kept
in bench/results/NAME.jsonl (not committed). Nothing else should run on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BEGIN, END = "<!-- run_all: begin -->", "<!-- run_all: end -->"


def _import(lines):
    for line in lines:  # "sqlite     clients            130000 rows    7.09 s ..."
        m = re.match(r"(\S+)\s+clients\s+(\d+) rows\s+([\d.]+) s", line)
        if m:
            yield m[1], "import 130,000 clients", f"{float(m[3]):.1f} s", "≤ 60 s", float(m[3]) / 60


OUTBOUND = {
    "personal-1ms": ("≥ 1,000/s", 1000),
    "personal-100ms": ("≥ 200/s", 200),
    "identical-130k": ("≥ 5,000/s", 5000),
}


def _outbound(lines):
    rows = [json.loads(line) for line in lines]
    baseline = {
        (r["database"], r["scenario"].removeprefix("baseline-")): r["per_second"]
        for r in rows
        if r["scenario"].startswith("baseline-")
    }  # the issue's: a forking job per message
    for r in rows:
        if r["scenario"] in OUTBOUND:
            target, floor = OUTBOUND[r["scenario"]]
            base = baseline.get((r["database"], r["scenario"].removeprefix("personal-")))
            times = f" ({r['per_second'] / base:.0f}× the baseline's {base}/s)" if base else ""
            yield (
                r["database"],
                f"send {r['messages']:,} ({r['scenario']})",
                f"{r['per_second']:,.0f}/s{times}",
                target,
                floor / r["per_second"],
            )
        elif r["scenario"] == "rate-50":
            yield (
                r["database"],
                "SMS_RATE_PER_SECOND=50",
                f"max {r['max_calls_in_any_second']} calls in 1 s",
                "≤ 51",
                r["max_calls_in_any_second"] / 51,
            )


def _beside_bare(label):
    def parse(lines):
        for r in map(json.loads, lines):
            if r["scenario"] != "bare":
                yield (
                    r["database"],
                    f"{label} {r['scenario']}",
                    f"{r['ratio_to_bare']} of bare, p99 {r['p99_ms']} ms",
                    "≥ 0.5 of bare, p99 ≤ 25 ms",
                    max(0.5 / r["ratio_to_bare"], r["p99_ms"] / 25),
                )

    return parse


def _against_sending_alone(label: str, ratio_key: str):
    """A whole job timed against the pipeline sending the same messages already queued."""

    def parse(lines):
        for r in map(json.loads, lines):
            yield r["database"], label, f"{r['seconds']} s", "none named (baseline: sending alone)", r[ratio_key]

    return parse


def _scheduler(lines):
    for r in map(json.loads, lines):
        yield (
            r["database"],
            "tick claiming 10,000 due among 1,000,000",
            f"{r['due_tick_median_s']} s",
            "≤ 1 s",
            r["due_tick_median_s"],
        )
        yield (
            r["database"],
            "tick with nothing due",
            f"{r['idle_enqueue_due_ms_median']} ms",
            "≤ 20 ms",
            r["idle_enqueue_due_ms_median"] / 20,
        )


def _dashboard(lines):
    for r in map(json.loads, lines):
        yield (
            r["database"],
            "slowest dashboard page or API list (p95)",
            f"{r['worst_p95_ms']} ms",
            "≤ 200 ms",
            r["ratio_to_200ms"],
        )


def _soak(lines):
    for r in map(json.loads, lines):
        if "minutes" in r:
            yield (
                r["database"],
                f"soak {r['minutes']} min, USSD p99 (worst minute)",
                f"{r['worst_minute_ussd_p99_ms']} ms, {r['errors']} errors, memory growth "
                f"{max(r['rss_growth_after_first_minute'].values()):.0%}",
                "p99 ≤ 50 ms, 0 errors, flat",
                r["worst_minute_ussd_p99_ms"] / 50,
            )


def _life_events(lines):
    for r in map(json.loads, lines):
        yield (
            r["database"],
            "one life event, 30 waiting messages, API p95 (worst kind)",
            f"{r['worst_p95_ms']} ms",
            "≤ 50 ms",
            r["ratio_to_50ms"],
        )
        yield (
            r["database"],
            f"events CSV of {r['csv_rows']:,} rows",
            f"{r['csv_seconds']} s",
            "≤ 30 s",
            r["csv_ratio_to_30s"],
        )


def _inbox(lines):
    for r in map(json.loads, lines):
        yield (
            r["database"],
            f"inbox page, a Mentor Mother with {r['clients']} clients and {r['messages']:,} messages (p95)",
            f"{r['inbox_p95_ms']} ms",
            "≤ 200 ms",
            r["ratio_to_200ms"],
        )


def _programme(lines):
    for r in map(json.loads, lines):
        ratios = r["ratios"]
        yield (
            r["database"],
            f"programme closing ({r['clients']:,} clients): one site's preview",
            f"{max(r['preview_seconds_each'])} s the slowest site (all {r['sites']} in turn: {r['preview_seconds']} s)",
            "≤ 10 s",
            ratios["preview_to_10s"],
        )
        yield (
            r["database"],
            f"programme closing: {r['sites']} commands → all {r['clients']:,} notices sent",
            f"{r['closure_seconds']} s",
            "≤ 180 s",
            ratios["closure_to_180s"],
        )
        yield (
            r["database"],
            f"chained closure: {r['chained_clients']:,} sent on → last corrected notice sent",
            f"{r['chained_seconds']} s",
            "≤ 30 s",
            ratios["chained_to_30s"],
        )
        board = r["board"]["/transfers"]
        afresh = r["board"].get("/transfers made afresh", {})
        yield (
            r["database"],
            f"transfers board of {r['transfers']:,} transfers, p95 (made afresh: median "
            f"{afresh.get('median_ms', '?')} ms)",
            f"{board['p95_ms']} ms",
            "≤ 200 ms",
            ratios["board_p95_to_200ms"],
        )


BENCHMARKS = [  # name, issue, arguments, parser
    ("import", 2, ["--clients", "130000"], _import),
    ("outbound", 3, ["--workers", "3"], _outbound),
    ("webhooks", 4, ["--seconds", "10", "--concurrency", "4"], _beside_bare("webhook")),
    ("ussd", 5, ["--seconds", "10", "--concurrency", "4"], _beside_bare("USSD")),
    (
        "closure",
        6,
        ["--workers", "3"],
        _against_sending_alone("site closure of 13,000, command → all sent", "ratio_to_sending_alone"),
    ),
    ("scheduler", 7, ["--future", "1000000", "--due", "10000"], _scheduler),
    (
        "broadcast",
        8,
        ["--workers", "3"],
        _against_sending_alone("broadcast to 130,000, first tick → all sent", "ratio_to_baseline"),
    ),
    ("dashboard", 9, ["--rounds", "5"], _dashboard),
    ("soak", 10, [], _soak),
    ("life_events", 16, [], _life_events),
    ("programme", 19, ["--workers", "3"], _programme),
    ("inbox", 20, [], _inbox),
]


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, Python {platform.python_version()}"


def table(rows: list[tuple], started: datetime, took: float) -> str:
    out = [
        BEGIN,
        "",
        f"## Latest full run (`bench/run_all.py`, {started:%Y-%m-%d %H:%M} UTC, {took / 60:.0f} min)",
        "",
        f"Machine: {machine()}. Ratio: the figure over its target, or over the baseline the issue names "
        "(below 1 is better).",
        "",
        "| issue | benchmark | database | figure | target | ratio |",
        "| ---: | --- | --- | --- | --- | ---: |",
    ]
    for issue, database, figure, value, target, ratio in rows:
        out.append(f"| {issue} | {figure} | {database} | {value} | {target} | **{ratio:.2f}** |")
    return "\n".join(out + ["", END, ""])


def write(rows: list[tuple], started: datetime, took: float) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    block = table(rows, started, took)
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) + 1 :]
    else:  # after the page's opening paragraph
        head, _, rest = text.partition("\n## ")
        text = f"{head}\n{block}\n## {rest}"
    path.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--only", default="", help="comma-separated names (default: all)")
    parser.add_argument("--soak-minutes", default="10")
    parser.add_argument("--from-results", action="store_true", help="only rewrite the table from bench/results/")
    args = parser.parse_args()
    chosen = set(filter(None, args.only.split(",")))
    RESULTS.mkdir(exist_ok=True)
    started, began, rows = datetime.now(UTC), time.monotonic(), []
    for name, issue, arguments, parse in BENCHMARKS:
        output = RESULTS / f"{name}.jsonl"
        if not args.from_results and (not chosen or name in chosen):
            extra = ["--minutes", args.soak_minutes] if name == "soak" else []
            print(f"[run_all] {name} …", flush=True)
            done = subprocess.run(
                [sys.executable, str(ROOT / "bench" / f"{name}.py"), "--databases", args.databases, *arguments, *extra],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            output.write_text(done.stdout)
            if done.returncode:
                print(f"[run_all] {name} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
        if output.exists():
            lines = [line for line in output.read_text().splitlines() if line.strip()]
            jsonish = [line for line in lines if line.startswith("{")] if name != "import" else lines
            rows += [(issue, *row) for row in parse(jsonish)]
    took = time.monotonic() - began
    if args.from_results:  # the run's own time: from its results' files
        stamps = [f.stat().st_mtime for f in RESULTS.glob("*.jsonl")]
        started = datetime.fromtimestamp(min(stamps) - 60, UTC)
        took = max(stamps) - min(stamps) + 60
    write(rows, started, took)
    print(table(rows, started, took))


if __name__ == "__main__":
    main()
