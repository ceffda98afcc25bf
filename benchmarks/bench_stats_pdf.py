"""What does the annual PDF cost at 100,000 cases? Run: python benchmarks/bench_stats_pdf.py

Builds a throw-away SQLite instance, bulk-inserts 100,000 categorised cases of one year (plus 20,000 of
the year before, for the comparison; plain rows, no sealing: statistics never read a ciphertext) and
builds the running tally that categorising them would have kept (``reporting.tally``), then measures in
the same run

1. the annual PDF end to end: SQL aggregation, disclosure control, words, HTML, WeasyPrint;
2. WeasyPrint alone rendering the finished HTML of that same report (the baseline);

and prints wall time and peak memory of each with their ratio. Each measurement runs in a fresh
process (``spawn``) so one cannot warm caches or inflate the memory peak of the other: wall time is
the median of ``--repeat`` runs (the two alternating), peak memory is the process's peak resident set size (VmHWM, reset
just before the work starts) and, from a separate pass under tracemalloc, the peak of Python objects.
Options: ``--cases N`` (default 100000), ``--repeat R`` (default 3).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine

from reporting.cli.instance import initialise
from reporting.config.settings import Settings
from reporting.demo import synthetic_categorisation
from reporting.stats.disclosure.model import CellRef

YEAR = 2026
PREVIOUS_YEAR_SHARE = 0.2
BATCH = 20_000
K = 5


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_rss_mib: float
    baseline_rss_mib: float
    python_peak_mib: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds per stage of the end-to-end run."""


def settings_for(directory: Path) -> Settings:
    return Settings.from_env(
        {"REPORTING_DATA_DIR": str(directory / "var"), "REPORTING_KEYS_DIR": str(directory / "keys")}
    )


def seed(settings: Settings, cases: int) -> None:
    """Plain rows straight through the driver's executemany (hex UUIDs and ISO dates, as SQLAlchemy
    stores them on SQLite); only the statistics are measured, not the loading."""
    rng = random.Random(2026)
    engine = create_engine(settings.database_url.replace("sqlite+aiosqlite", "sqlite"))
    previous_cases = int(cases * PREVIOUS_YEAR_SHARE)
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA synchronous=OFF")
        for start in range(0, cases + previous_cases, BATCH):
            reports, categorisations, codes = [], [], []
            for number in range(start, min(start + BATCH, cases + previous_cases)):
                year = YEAR if number < cases else YEAR - 1
                received = (dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
                report_id = uuid.uuid4().hex
                reports.append((report_id, received, "de", "online", "closed", received, rng.random() < 0.9, False))
                by_dimension, intersectional = synthetic_categorisation(rng)
                categorisations.append((report_id, intersectional, received))
                codes += [
                    (report_id, "staff", dimension, code)
                    for dimension, values in by_dimension.items()
                    for code in values
                ]
            connection.exec_driver_sql(
                "INSERT INTO report (id, received_on, language, source, status, last_activity_on,"
                " consent_statistics, wants_counselling) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                reports,
            )
            connection.exec_driver_sql(
                "INSERT INTO categorisation (report_id, intersectional, categorised_on) VALUES (?, ?, ?)",
                categorisations,
            )
            connection.exec_driver_sql(
                "INSERT INTO case_code (report_id, origin, dimension, code) VALUES (?, ?, ?, ?)", codes
            )
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    asyncio.run(_tally(settings))


async def _tally(settings: Settings) -> None:
    """The running tally as categorising these cases one by one would have left it (built from the codes)."""
    from reporting.db.engine import session_scope
    from reporting.stats.aggregate import rebuild_tally

    async with session_scope(settings) as session:
        await rebuild_tally(session)


def _reset_peak_rss() -> float:
    """Reset the kernel's peak-RSS mark (Linux) and return the current RSS in MiB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    return _status_mib("VmRSS")


def _status_mib(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _end_to_end(directory: str, html_out: str) -> dict[str, float]:
    """What ``reporting stats annual`` does, with the time of each stage: reading the tally, protection
    (its HiGHS audit included), the publication register's joint attack, words and HTML, WeasyPrint. The
    release is rolled back, so that every run meets the same (empty) register."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from reporting.db.engine import create_engine
    from reporting.stats.pdf import render_pdf, render_report_html
    from reporting.stats.register import publish
    from reporting.stats.report import YearStatistics, count_year, present, statistics_from_counts

    stages: dict[str, float] = {}

    def timed(stage: str, started: float) -> float:
        now = time.perf_counter()
        stages[stage] = now - started
        return now

    async def statistics_of_year() -> YearStatistics:
        engine = create_engine(settings_for(Path(directory)))
        try:
            async with async_sessionmaker(engine)() as session:
                started = time.perf_counter()
                current, previous = await count_year(session, YEAR)
                started = timed("tally (SQL)", started)
                statistics = statistics_from_counts(current, previous, K)
                started = timed("protection and audit (HiGHS)", started)

                def reprotect(hide: frozenset[CellRef]) -> YearStatistics:
                    return statistics_from_counts(current, previous, K, also_hide=hide)

                published = await publish(session, statistics, "pdf", reprotect)
                timed("register: joint attack (HiGHS)", started)
                await session.rollback()
                return published
        finally:
            await engine.dispose()

    year_statistics = asyncio.run(statistics_of_year())
    started = time.perf_counter()
    html = render_report_html(present(year_statistics, "de"))
    started = timed("words and HTML", started)
    pdf = render_pdf(html)
    timed("WeasyPrint", started)
    Path(html_out).write_text(html, encoding="utf-8")
    Path(html_out).with_suffix(".pdf").write_bytes(pdf)
    return stages


def _render_only(_directory: str, html_out: str) -> dict[str, float]:
    from reporting.stats.pdf import render_pdf

    render_pdf(Path(html_out).read_text(encoding="utf-8"))
    return {}


def _warm_imports() -> None:
    """Import everything both measurements need before the clock starts (imports are not the work; the
    disclosure audit imports HiGHS only when it first runs)."""
    for module in ("weasyprint", "highspy", "reporting.db.engine", "reporting.stats.pdf", "reporting.stats.report"):
        importlib.import_module(module)


def _worker(task: str, directory: str, html_out: str, traced: bool, results: Queue[Measurement]) -> None:
    work: Callable[[str, str], dict[str, float]] = {"end_to_end": _end_to_end, "render_only": _render_only}[task]
    _warm_imports()
    baseline = _reset_peak_rss()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    stages = work(directory, html_out)
    seconds = time.perf_counter() - started
    python_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    results.put(Measurement(seconds, _status_mib("VmHWM"), baseline, python_peak, stages))


def measure(task: str, directory: Path, html_out: Path, *, traced: bool = False) -> Measurement:
    context = multiprocessing.get_context("spawn")
    results: Queue[Measurement] = context.Queue()
    process = context.Process(target=_worker, args=(task, str(directory), str(html_out), traced, results))
    process.start()
    measurement: Measurement = results.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{task} failed with exit code {process.exitcode}")
    return measurement


def summarise(runs: list[Measurement], traced: Measurement) -> Measurement:
    return Measurement(
        seconds=statistics.median(run.seconds for run in runs),
        peak_rss_mib=max(run.peak_rss_mib for run in runs),
        baseline_rss_mib=statistics.median(run.baseline_rss_mib for run in runs),
        python_peak_mib=traced.python_peak_mib,
        stages={stage: statistics.median(run.stages[stage] for run in runs) for stage in runs[0].stages},
    )


def measure_both(directory: Path, html_out: Path, repeat: int) -> tuple[Measurement, Measurement]:
    """End to end and render alone in alternation, so that load from elsewhere on the machine falls on
    both alike (the end-to-end run writes the HTML the render-alone run reads)."""
    runs: dict[str, list[Measurement]] = {"end_to_end": [], "render_only": []}
    for _ in range(repeat):
        for task, measured in runs.items():
            measured.append(measure(task, directory, html_out))
    end_to_end, render_only = (
        summarise(measured, measure(task, directory, html_out, traced=True)) for task, measured in runs.items()
    )
    return end_to_end, render_only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-stats-") as temporary:
        directory = Path(temporary)
        settings = settings_for(directory)
        initialise(settings)
        started = time.perf_counter()
        seed(settings, arguments.cases)
        print(
            f"seeded {arguments.cases:,} categorised cases of {YEAR} "
            f"(+{int(arguments.cases * PREVIOUS_YEAR_SHARE):,} of {YEAR - 1}) in {time.perf_counter() - started:.1f} s"
        )
        html_out = directory / "report.html"
        end_to_end, render_only = measure_both(directory, html_out, arguments.repeat)
        html_bytes, pdf_bytes = html_out.stat().st_size, html_out.with_suffix(".pdf").stat().st_size

    print(f"report: HTML {html_bytes / 1024:.0f} KiB, PDF {pdf_bytes / 1024:.0f} KiB")
    header = f"{'':34} {'wall time':>10} {'peak RSS':>10} {'(start)':>9} {'Python peak':>12}"
    print(header)
    for name, result in (
        ("annual PDF end to end", end_to_end),
        ("WeasyPrint on the finished HTML", render_only),
    ):
        print(
            f"{name:34} {result.seconds:>8.2f} s {result.peak_rss_mib:>6.0f} MiB {result.baseline_rss_mib:>5.0f} MiB"
            f" {result.python_peak_mib:>8.1f} MiB"
        )
    print(
        f"{'ratio end to end / render alone':34} {end_to_end.seconds / render_only.seconds:>9.2f}x"
        f" {end_to_end.peak_rss_mib / render_only.peak_rss_mib:>9.2f}x {'':9}"
        f" {end_to_end.python_peak_mib / max(render_only.python_peak_mib, 0.001):>11.2f}x"
    )
    print(f"(median of {arguments.repeat} runs per line, each in a fresh process; Python peak under tracemalloc)")
    print("end to end by stage (median):")
    for stage, seconds in end_to_end.stages.items():
        print(f"  {stage:32} {seconds:>8.3f} s")


if __name__ == "__main__":
    main()
