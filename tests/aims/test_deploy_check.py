"""Production settings pass Django's deployment checklist and refuse to start half-configured.

Each test starts manage.py in a fresh process with a clean environment, as a container would, because
settings are read once per process and the test suite itself runs on aims.settings.test.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "aims.settings.production",
        "AIMS_VAR_DIR": str(tmp_path / "var"),  # keep the repository's var/ out of it
        "ALLOWED_HOSTS": "aims.example.org",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def output_of(result: subprocess.CompletedProcess) -> str:
    return f"exit code {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def test_it_passes_check_deploy_without_a_single_warning(tmp_path):
    result = run_manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=secrets.token_urlsafe(64)
    )

    assert result.returncode == 0, output_of(result)
    assert "System check identified no issues" in result.stdout, output_of(result)


def test_it_refuses_to_start_without_secret_key(tmp_path):
    result = run_manage(tmp_path, "check")

    assert result.returncode != 0, output_of(result)
    assert "SECRET_KEY" in result.stderr, output_of(result)


def test_it_refuses_to_start_with_debug_on(tmp_path):
    result = run_manage(tmp_path, "check", SECRET_KEY=secrets.token_urlsafe(64), DEBUG="true")

    assert result.returncode != 0, output_of(result)
    assert "DEBUG" in result.stderr, output_of(result)
