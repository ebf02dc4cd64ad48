"""Settings come from the environment and refuse bad values at start-up."""

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.EMBEDDED)"


def start(**env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", CHECK],
        env={**base, "DJANGO_SETTINGS_MODULE": "socialcare.settings", **env},
        capture_output=True,
        text=True,
    )


def test_a_development_machine_starts_on_embedded_defaults():
    result = start(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_a_misspelt_boolean_stops_the_start():
    result = start(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


def test_production_without_a_secret_key_stops_the_start():
    result = start(DEBUG="false", FIELD_ENCRYPTION_KEY="k")
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_production_without_an_encryption_key_stops_the_start():
    result = start(DEBUG="false", SECRET_KEY="s")
    assert "FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEY_FILE) must be set" in result.stderr


def test_secrets_may_come_from_files(tmp_path):
    (tmp_path / "secret").write_text("from-a-file\n")
    result = start(DEBUG="false", SECRET_KEY_FILE=str(tmp_path / "secret"), FIELD_ENCRYPTION_KEY="k")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name,value", [("DATABASE_URL", "nosuchdb://x"), ("CONN_MAX_AGE", "soon")])
def test_a_malformed_value_stops_the_start(name, value):
    assert start(DEBUG="true", **{name: value}).returncode != 0
