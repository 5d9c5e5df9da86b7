"""The Containerfile's promises, read without building it (CI may not be able to), and the
parts of scripts/build_image.py that decide what reaches the build."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_image", REPO / "scripts" / "build_image.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_image", module)  # dataclasses and caches look it up
    spec.loader.exec_module(module)
    return module


def _stages() -> list[list[str]]:
    """The Containerfile's instructions (continuations joined), split into stages."""
    text = (REPO / "Containerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    stages: list[list[str]] = [[]]
    for line in lines:
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_the_base_is_a_build_argument_used_by_every_stage() -> None:
    preamble, *stages = _stages()
    (arg,) = preamble
    assert arg.startswith("ARG BASE=") and re.search(r"/python:3\.1\d+-slim$", arg)
    assert len(stages) == 2
    assert all(stage[0].split()[1] == "${BASE}" for stage in stages)


def test_the_final_stage_is_the_venv_a_non_root_user_and_the_entrypoint() -> None:
    final = _stages()[-1]
    copies = [line for line in final if line.startswith(("COPY", "ADD"))]
    assert copies == ["COPY --from=build /opt/upgradecheck /opt/upgradecheck"]
    assert not [line for line in final if line.startswith("RUN")]
    (user,) = [line.split()[1] for line in final if line.startswith("USER ")]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid.isdigit()
    (entry,) = [line for line in final if line.startswith("ENTRYPOINT")]
    assert entry == 'ENTRYPOINT ["/opt/upgradecheck/bin/upgradecheck"]'
    env = " ".join(line for line in final if line.startswith("ENV "))
    assert "HOME=/tmp" in env and "PYTHONDONTWRITEBYTECODE=1" in env


def test_the_build_stage_copies_everything_the_wheel_is_built_from() -> None:
    """pyproject's wheel target (the package and every forced include) must reach /src, or
    the image build fails at `pip wheel` long after the unit tests passed."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    wheel = project["tool"]["hatch"]["build"]["targets"]["wheel"]
    needed = {*wheel["packages"], *wheel.get("force-include", {}), "pyproject.toml", "README.md"}
    copied: set[str] = set()
    for line in _stages()[1]:
        if line.startswith("COPY ") and "--from" not in line:
            *sources, _dest = line.split()[1:]
            copied.update(source.rstrip("/") for source in sources)

    def covered(path: str) -> bool:
        return any(path == c or path.startswith(c + "/") for c in copied)

    assert sorted(p for p in needed if not covered(p)) == []


def test_the_chart_runs_the_image_as_its_user() -> None:
    import yaml

    values = yaml.safe_load((REPO / "charts" / "upgradecheck" / "values.yaml").read_text())
    (user,) = [line.split()[1] for line in _stages()[-1] if line.startswith("USER ")]
    pod = values["podSecurityContext"]
    assert f"{pod['runAsUser']}:{pod['runAsGroup']}" == user
    assert pod["fsGroup"] == pod["runAsGroup"]


def test_only_pip_settings_that_mean_the_same_inside_reach_the_build(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(script, "_pip_config", lambda: {
        "extra-index-url": "file:///opt/pypi/simple https://mirror.example/simple",
        "index-url": "/srv/wheels",
        "find-links": "/opt/wheels",
        "constraint": "/etc/xdg/pip/constraints.txt",
        "default-timeout": "180",
        "cert": "/etc/ssl/certs/ca-certificates.crt",
    })
    args = script.pip_build_args()
    pairs = [args[i + 1] for i in range(0, len(args), 2)]
    assert all(flag == "--build-arg" for flag in args[::2])
    assert pairs == [
        "PIP_EXTRA_INDEX_URL=https://mirror.example/simple",
        "PIP_DEFAULT_TIMEOUT=180",
        f"PIP_CERT={script.CA_IN_IMAGE}",
    ]


def test_the_build_arguments_passed_are_declared(script: ModuleType) -> None:
    declared = set(re.findall(r"^ARG (\w+)", (REPO / "Containerfile").read_text(), re.M))
    passed = {f"PIP_{k.upper().replace('-', '_')}" for k in script._PIP_KEYS}
    assert passed | {"BASE", "PIP_CERT"} <= declared


def test_the_service_account_lands_behind_a_var_run_link(
    script: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "run").symlink_to("/run")
    assert script._service_account_dir(tmp_path) == "/run/secrets/kubernetes.io/serviceaccount"
    (tmp_path / "var" / "run").unlink()
    (tmp_path / "var" / "run").mkdir()
    assert script._service_account_dir(tmp_path) == (
        "/var/run/secrets/kubernetes.io/serviceaccount"
    )


def test_without_root_the_build_is_skipped_with_the_reason(
    script: ModuleType, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(script.sys, "platform", "linux")
    monkeypatch.setattr(script.os, "geteuid", lambda: 1000)
    assert script.main([]) == 0
    assert "skipped: cannot build here: needs root" in capsys.readouterr().out
    assert script.main(["--require"]) == 1
