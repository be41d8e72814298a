"""``budgetkit.files``: what a run wrote (recording_writes), and the manifest of a report's folder —
read from disk, so whatever it says, it removes only unchanged files inside the folder."""

import json

import pytest

from budgetkit.files import (MANIFEST, Manifest, read_manifest, record_write, recording_writes, remove_earlier_files,
                             write_atomic, write_manifest)


def test_writes_are_recorded_by_every_block_around_them(tmp_path):
    with recording_writes() as outer:
        write_atomic(tmp_path / "a.txt", "a")
        with recording_writes() as inner:
            write_atomic(tmp_path / "sub" / "b.txt", "b")
            record_write(tmp_path / "moved.parquet")
    write_atomic(tmp_path / "c.txt", "c")  # after the blocks: recorded by none
    assert outer == [tmp_path / "a.txt", tmp_path / "sub" / "b.txt", tmp_path / "moved.parquet"]
    assert inner == [tmp_path / "sub" / "b.txt", tmp_path / "moved.parquet"]


def test_the_manifest_is_sorted_lists_only_files_inside_and_reads_back(tmp_path):
    paths = [write_atomic(tmp_path / name, name) for name in ("z.md", "charts/a.png", "b.csv")]
    outside = write_atomic(tmp_path.parent / f"{tmp_path.name}-outside.txt", "x")
    written = write_manifest(tmp_path, [*paths, outside, tmp_path / "never-written.txt"], "某局 2024")
    assert list(written.files) == ["b.csv", "charts/a.png", "z.md"]
    assert read_manifest(tmp_path) == written and written.title == "某局 2024"
    first = (tmp_path / MANIFEST).read_bytes()
    write_manifest(tmp_path, reversed(paths), "某局 2024")
    assert (tmp_path / MANIFEST).read_bytes() == first  # the same files give the same bytes


def test_no_manifest_is_an_empty_one(tmp_path):
    assert read_manifest(tmp_path) == Manifest()


@pytest.mark.parametrize("text", ["{not json", "[]", '{"files": ["a.csv"]}', '{"files": {"a.csv": 1}}', "\udcff"])
def test_a_manifest_of_another_shape_cannot_be_read(tmp_path, text):
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8", errors="surrogateescape")
    assert read_manifest(tmp_path) is None


def test_only_unchanged_regular_files_inside_the_folder_are_removed(tmp_path):
    folder = tmp_path / "out"
    kept = write_atomic(folder / "kept.csv", "same")
    changed = write_atomic(folder / "changed.csv", "before")
    gone = write_atomic(folder / "deep" / "er" / "gone.csv", "old")
    target = write_atomic(tmp_path / "target.csv", "old")
    (folder / "link.csv").symlink_to(target)
    earlier = write_manifest(folder, [kept, changed, gone], "A 2023")
    digest = earlier.files["deep/er/gone.csv"]  # the bytes "old": the same as target.csv's
    earlier.files.update({"link.csv": digest, "../target.csv": digest, str(target): digest})
    changed.write_text("after", encoding="utf-8")
    removed, left = remove_earlier_files(folder, earlier, written={"kept.csv"})
    assert (removed, left) == ([gone], [changed])
    assert not (folder / "deep").exists()  # emptied folders go too
    assert kept.is_file() and changed.is_file() and target.read_text(encoding="utf-8") == "old"
    assert (folder / "link.csv").is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "changed.csv", "kept.csv", "link.csv"]


def test_a_file_written_again_is_never_removed_whatever_spelling_the_manifest_gives_it(tmp_path):
    written = write_atomic(tmp_path / "charts" / "a.png", "same bytes")
    earlier = write_manifest(tmp_path, [written], "A 2023")
    digest = earlier.files["charts/a.png"]
    spellings = Manifest({"charts//a.png": digest, "./charts/a.png": digest, "charts/./a.png": digest}, "A 2023")
    assert remove_earlier_files(tmp_path, spellings, written={"charts/a.png"}) == ([], [])
    assert written.read_text(encoding="utf-8") == "same bytes"
