"""What a command or a notebook pays before its first result: no reader loaded for a data package; the data
files read by one reader."""

import subprocess
import sys
import tomllib

import pytest

from budgetkit.template import data_dir, read_toml


def test_the_data_files_are_read_as_tomllib_reads_them():
    for path in [*data_dir().glob("*.toml"), *(data_dir() / "messages").glob("*.toml")]:
        assert read_toml(path) == tomllib.loads(path.read_text(encoding="utf-8")), path


def test_line_ends_are_read_as_read_text_reads_them(tmp_path):
    path = tmp_path / "words.toml"
    path.write_bytes(b'text = """one\r\ntwo"""\r\n')
    assert read_toml(path) == {"text": "one\ntwo"}


def test_a_file_that_is_not_toml_raises(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("id = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        read_toml(path)


def test_loading_a_data_package_loads_no_document_reader():
    code = ("import sys, budgetkit; budgetkit.load(); budgetkit.load(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m.startswith('budgetkit.extract')))")
    package = data_dir() / "final-accounts" / "sh-putuo-planning-2024-final-accounts"
    result = subprocess.run([sys.executable, "-c", code, str(package)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
