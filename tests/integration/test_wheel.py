"""The bundled budget ships inside the wheel: load() works from an installed wheel, not only from a checkout."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_from_an_installed_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("budgetkit-*.whl")
    target = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    probe = ("import budgetkit, sys; b = budgetkit.load(); "
             "print(budgetkit.__file__); print(len(b.claims), b.department); print(b.rules_path)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, encoding="utf-8",
                            cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    module_file, summary, rules = result.stdout.splitlines()
    assert module_file.startswith(str(target))
    assert summary == "100 遂宁市安居区总工会"
    assert rules.startswith(str(target / "budgetkit" / "_data"))
