"""A normal install works: a wheel built from this checkout, installed into a fresh virtual environment
outside it, serves the German pages with their static files, migrates and writes the PDF report.

The wheel is built offline with the test environment's setuptools (the ``test`` extra requires a new
enough one); the new environment borrows the dependencies through a ``.pth`` file, which adds their
directory but does not run the ``.pth`` files in it, so the checkout's editable install cannot leak in.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import urllib.request
import venv
import zipfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.live_server import running_server
from tests.stats.conftest import pdf_dictionary

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
STEP_TIMEOUT_SECONDS = 120
# Only this package, from here: no index is asked, no dependency fetched.
PIP_OFFLINE = ("--no-deps", "--no-index", "--quiet")
# Each kind of package data, as a pattern over the wheel's file names: every one must match something.
PACKAGE_DATA_PATTERNS = (
    "reporting/templates/*.html",
    "reporting/templates/*/*.html",
    "reporting/static/css/*.css",
    "reporting/static/js/*.js",
    "reporting/static/fonts/*.ttf",
    "reporting/static/fonts/LICENSE*",
    "reporting/static/vendor/altcha/altcha.min.js",
    "reporting/static/vendor/altcha/workers/*.js",
    "reporting/static/vendor/altcha/LICENSE*",
    "reporting/i18n/locale/de/LC_MESSAGES/*.po",
    "reporting/db/migrations/env.py",
    "reporting/db/migrations/script.py.mako",
    "reporting/db/migrations/versions/*.py",
)


@dataclass(frozen=True)
class Installation:
    """The wheel installed in a new virtual environment, and an empty place to run it from."""

    venv_dir: Path
    package_dir: Path
    reporting: Path
    workdir: Path
    environment: dict[str, str]

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.reporting), *arguments],
            cwd=self.workdir,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_SECONDS,
            check=False,
        )


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=STEP_TIMEOUT_SECONDS, check=False)
    assert result.returncode == 0, f"{command[:4]} failed:\n{result.stdout}\n{result.stderr}"


def _checkout_files() -> list[str]:
    """What a clone holds (plus new files not yet committed), without ignored build output."""
    listed = subprocess.run(
        ["git", "-C", str(REPOSITORY), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=True,
    ).stdout.decode()
    return sorted(name for name in listed.split("\0") if name and (REPOSITORY / name).is_file())


def _package_files() -> set[str]:
    return {name for name in _checkout_files() if name.startswith("reporting/") and "__pycache__" not in name}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the checkout: setuptools writes build/ and *.egg-info where it builds."""
    source = tmp_path_factory.mktemp("source")
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPOSITORY / name, source / name)
    dist = tmp_path_factory.mktemp("dist")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", *PIP_OFFLINE, "--no-build-isolation", "-w", str(dist)]
    _run([*pip_wheel, str(source)], cwd=dist)
    (built,) = dist.glob("reporting-*.whl")
    return built


@pytest.fixture(scope="module")
def installation(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installation:
    root = tmp_path_factory.mktemp("installed")
    assert not root.is_relative_to(REPOSITORY)
    environment_dir = root / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(environment_dir)
    python = environment_dir / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", *PIP_OFFLINE, str(wheel)],
        cwd=root,
    )
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT_SECONDS,
            check=True,
        ).stdout.strip()
    )
    dependency_dirs = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages / "test-dependencies.pth").write_text("".join(f"{path}\n" for path in dependency_dirs))
    workdir = root / "elsewhere"
    workdir.mkdir()
    # Nothing of the test run's interpreter set-up (PYTHONPATH naming the checkout, a REPORTING_* left over) leaks in.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "REPORTING_")) and name != "VIRTUAL_ENV"
    }
    environment.update(
        REPORTING_DATA_DIR=str(root / "data"),
        REPORTING_KEYS_DIR=str(root / "keys"),
        REPORTING_SECURE_COOKIES="false",
    )
    return Installation(
        environment_dir, site_packages / "reporting", environment_dir / "bin" / "reporting", workdir, environment
    )


@pytest.fixture(scope="module")
def initialised(installation: Installation) -> Installation:
    result = installation.run("init")
    assert result.returncode == 0, result.stdout + result.stderr
    # Only true when the migration scripts were found: with none, the head is "no revision" and nothing is applied.
    assert "migrated the database to the newest schema" in result.stdout
    return installation


def test_wheel_holds_every_file_of_the_package_and_nothing_else(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = sorted(_package_files() - names)
    assert not missing, f"not in the wheel: {missing}"
    for pattern in PACKAGE_DATA_PATTERNS:
        assert fnmatch.filter(names, pattern), f"no {pattern} in the wheel"
    outside = sorted(name for name in names if not name.startswith(("reporting/", "reporting-")))
    assert not outside, f"the wheel holds files outside the package: {outside}"


def test_the_installed_package_is_the_wheel_not_the_checkout(installation: Installation) -> None:
    result = subprocess.run(
        [str(installation.venv_dir / "bin" / "python"), "-c", "import reporting; print(reporting.__file__)"],
        cwd=installation.workdir,
        env=installation.environment,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_SECONDS,
        check=True,
    )
    imported_from = Path(result.stdout.strip())
    assert imported_from == installation.package_dir / "__init__.py"
    assert imported_from.is_relative_to(installation.venv_dir)
    assert not imported_from.is_relative_to(REPOSITORY)


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status), response.headers.get_content_type(), response.read().decode()


def test_the_installed_service_serves_german_pages_and_their_static_files(
    initialised: Installation, tmp_path: Path
) -> None:
    with running_server(
        [str(initialised.reporting)], initialised.environment, tmp_path / "server.log", cwd=initialised.workdir
    ) as server:
        status, content_type, form = _get(f"{server.base_url}/")
        assert (status, content_type) == (200, "text/html")
        assert '<html lang="de"' in form
        assert "Diskriminierung anonym melden" in form  # from the .po catalogue, not the English message id

        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', form)
        assert "/static/css/site.css" in linked
        # The proof-of-work widget starts its worker from JavaScript, so no page links it.
        for path in [*linked, "/static/vendor/altcha/workers/pbkdf2.js"]:
            status, content_type, body = _get(f"{server.base_url}{path}")
            expected = "text/css" if path.endswith(".css") else "text/javascript"
            assert (status, content_type) == (200, expected), path
            assert body.strip(), path

        status, content_type, login = _get(f"{server.base_url}/staff/login")
        assert (status, content_type) == (200, "text/html")
        assert '<html lang="de"' in login
        assert "Anmeldung für Mitarbeitende" in login


def test_the_installed_command_finds_the_migrations(initialised: Installation) -> None:
    result = initialised.run("db", "upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "already at the newest schema" in result.stdout
    database = Path(initialised.environment["REPORTING_DATA_DIR"]) / "reporting.db"
    with closing(sqlite3.connect(database)) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    versions = (initialised.package_dir / "db" / "migrations" / "versions").glob("*.py")
    declared = re.compile(rf"^revision\b[^=]*=\s*['\"]{re.escape(revision)}['\"]", re.MULTILINE)
    assert any(declared.search(path.read_text()) for path in versions), revision


def test_the_installed_command_writes_the_annual_report_with_its_fonts(
    initialised: Installation, tmp_path: Path
) -> None:
    pdf_path = tmp_path / "annual.pdf"
    result = initialised.run("stats", "annual", "--year", "2025", "--out", str(pdf_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # The renderer refuses to go on without a file it links, so a PDF at all proves report.css and the fonts were
    # there; the embedded font is the packaged one that report.css names.
    fonts = {
        str(pdf_dictionary(font.get_object())["/BaseFont"]).split("+")[-1]
        for page in PdfReader(pdf_path).pages
        for font in pdf_dictionary(pdf_dictionary(page["/Resources"])["/Font"]).values()
    }
    assert "Report-Sans" in fonts
