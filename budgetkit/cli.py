"""``budgetkit``: one command line, sub-commands sharing their input and output options.

Exit status: 0 when nothing at or above ``--fail-on`` was found, 1 when something was,
2 when the input or the rules could not be read (the message names file, line and field),
3 when a step of ``budgetkit report`` failed (the message names the step and why).
"""

from __future__ import annotations

import argparse
import functools
import sys

from .messages import text, verdict_name
from .pdf_pages import reading_ahead
from .schema import UNKNOWN_KIND

__all__ = ["build_parser", "installed_version", "main", "terminal_width", "wrapped"]

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_STEP_FAILED = 0, 1, 2, 3


def installed_version() -> str:
    """budgetkit's version as its package metadata records it (what ``pip show budgetkit`` says)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("budgetkit")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return text("cli.version-unknown")


class _PrintVersion(argparse.Action):
    """``--version``: reads the metadata only when asked, so every other run skips importing it."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(text("cli.version", version=installed_version()))
        parser.exit(EXIT_OK)


class _Formatter(argparse.HelpFormatter):
    """argparse's help in the current language, wrapped by terminal columns (a Chinese character takes
    two, and Chinese breaks between characters) rather than by characters at spaces."""

    def _format_usage(self, usage, actions, groups, prefix):
        shown = text("cli.usage") if prefix is None else prefix
        blank = " " * _columns(shown)  # argparse indents the usage's continuation lines by len(prefix)
        return shown + super()._format_usage(usage, actions, groups, blank)[len(blank):]

    def format_help(self):
        # argparse puts a colon after a section's heading; a Chinese heading carries its own (位置参数：)
        return super().format_help().replace("：:\n", "：\n")

    def _get_help_string(self, action):
        return action.help.replace("%", "%%")  # argparse reads help as a %-format; the catalogue's texts are not

    def _split_lines(self, content, width):
        return wrapped("", " ".join(content.split()), width)

    def _fill_text(self, content, width, indent):
        return "\n".join(wrapped(indent, " ".join(content.split()), width))


class _Parser(argparse.ArgumentParser):
    """An argument parser whose own words (usage, headings, ``-h``, errors) are in the current language."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        super().__init__(*args, add_help=False, formatter_class=_Formatter, **kwargs)
        self._positionals.title = text("cli.positional-arguments")
        self._optionals.title = text("cli.options")
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=text("cli.help"))

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, text("cli.argument-error", prog=self.prog, message=message) + "\n")


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help=text("cli.paths-help"))
    parser.add_argument("--scheduler", metavar="ADDRESS", help=text("cli.scheduler-help"))


def is_collection(paths: list[str]) -> bool:
    """Several paths, or one folder that is not itself a data package, name a collection."""
    from pathlib import Path

    if len(paths) > 1:
        return True
    return len(paths) == 1 and Path(paths[0]).is_dir() and not (Path(paths[0]) / "datapackage.json").is_file()


def _add_language_option(parser: argparse.ArgumentParser, default=argparse.SUPPRESS) -> None:
    """``--lang``, before or after the command (``budgetkit --lang en check`` or ``budgetkit check --lang en``)."""
    from .messages import LANGUAGES

    parser.add_argument("--lang", choices=LANGUAGES, default=default, help=text("cli.lang-help"))


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json", "csv"), default="table", help=text("cli.format-help"))


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its help in the current language (``main`` sets it from ``--lang`` first)."""
    parser = _Parser(prog="budgetkit", description=text("cli.description"))
    _add_language_option(parser, None)
    parser.add_argument("--version", action=_PrintVersion, help=text("cli.version-help"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", help=text("cli.check-help"), description=text("cli.check-description"))
    _add_input_options(check)
    _add_output_options(check)
    _add_language_option(check)
    check.add_argument("--fail-on", choices=("rounding", "text", "semantic", "drift"), default="drift",
                       help=text("cli.fail-on-help"))
    check.add_argument("--rules", help=text("cli.rules-help"))
    listing = check.add_mutually_exclusive_group()
    listing.add_argument("--all", action="store_true", help=text("cli.all-help"))
    listing.add_argument("--failures-only", action="store_true", help=text("cli.failures-only-help"))
    report = commands.add_parser("report", help=text("cli.report-help"), description=text("cli.report-description"))
    _add_input_options(report)
    _add_language_option(report)
    report.add_argument("--out", default="out", help=text("cli.report-out-help"))
    report.add_argument("--no-notebooks", action="store_true", help=text("cli.no-notebooks-help"))
    extract = commands.add_parser("extract", help=text("cli.extract-help"), description=text("cli.extract-description"))
    _add_language_option(extract)
    extract.add_argument("document", help=text("cli.document-help"))
    extract.add_argument("--out", help=text("cli.extract-out-help"))
    extract.add_argument("--force", action="store_true", help=text("cli.force-help"))
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # a terminal that cannot show Chinese (LC_ALL=C, PYTHONIOENCODING=ascii) gets \uXXXX escapes, not a crash
        if hasattr(stream, "reconfigure") and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
    # the language first: the help and every message after it are written in it
    from .messages import LANGUAGES, set_language

    arguments = sys.argv[1:] if argv is None else argv
    for index, argument in enumerate(arguments):
        chosen = (argument.partition("=")[2] if argument.startswith("--lang=") else
                  arguments[index + 1] if argument == "--lang" and index + 1 < len(arguments) else None)
        if chosen in LANGUAGES:  # anything else: the parser names the choices
            set_language(chosen)
    parser = build_parser()
    args = parser.parse_args(argv)
    from .audit import RulesError
    from .schema import BudgetDataError

    try:
        if args.command == "check":
            return _check(args)
        if args.command == "extract":
            return _extract(args)
        return _report(args)
    except (BudgetDataError, RulesError) as error:
        _complain(args.command, error)
        return EXIT_BAD_INPUT
    except OSError as error:  # a path the system refuses (too long, no permission, not a folder …)
        reason = error.strerror or str(error)  # the system's own words
        _complain(args.command, text("cli.file-error", file=error.filename, reason=reason) if error.filename else reason)
        return EXIT_BAD_INPUT


def _complain(command: str, message) -> None:
    """One line on stderr, after the command's name: ``budgetkit check: …``."""
    print(text("cli.error", command=command, message=message), file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from . import load  # a data package needs no document reader (nor its imports)
    from .audit import audit
    from .findings import SEVERITY, findings_csv, findings_json

    if is_collection(args.paths):
        return _check_collection(args)
    if reading_ahead():  # while the PDF is read in its child, this process makes what reading and audit need
        _prepare(args.rules)
    budget = load(args.paths[0] if args.paths else None)
    findings = audit(budget, args.rules)
    if args.format == "json":
        sys.stdout.write(findings_json(findings))
    elif args.format == "csv":
        sys.stdout.write(findings_csv(findings))
    else:
        from .audit import unevaluated_relations

        sys.stdout.write(findings_table(findings, budget_title=_budget_name(budget.department, budget.year,
                                                                          budget.document_kind),
                                        all_evaluations=args.all,
                                        limits=budget.extraction.limits() if budget.extraction else (),
                                        unevaluated=unevaluated_relations(budget, findings, args.rules),
                                        width=terminal_width()))
    failing = findings["verdict"].map(lambda verdict: SEVERITY[str(verdict)] >= SEVERITY[args.fail_on]).astype(bool)
    return EXIT_FINDINGS if failing.any() else EXIT_OK


def _prepare(rules: str | None) -> None:
    """The rules read, and every table the extractor and the audit make once (:mod:`.once`)."""
    from . import extract  # noqa: F401 - imported for the tables its modules mark
    from .audit import load_rules
    from .once import make_all
    from .schema import bundled_rules_path

    load_rules(rules or bundled_rules_path())
    make_all()


def _check_collection(args: argparse.Namespace) -> int:
    from .collection import (SchedulerError, load_collection, problem_lines, restated_budget_findings, stack_findings,
                             year_over_year_findings)
    from .findings import SEVERITY, findings_csv, findings_json

    try:
        collection = load_collection(args.paths, scheduler=args.scheduler)
    except SchedulerError as error:
        _complain("check", error)
        return EXIT_BAD_INPUT
    # each budget's own findings, then last year's figures restated in the next year's budget, then a year's
    # budget restated in its final accounts
    findings = stack_findings(collection.audit(args.rules), year_over_year_findings(collection),
                              restated_budget_findings(collection))
    if args.format == "json":
        sys.stdout.write(findings_json(findings))
    elif args.format == "csv":
        sys.stdout.write(findings_csv(findings))
    else:
        sys.stdout.write(collection_findings_table(findings, collection.budgets, all_evaluations=args.all,
                                                   width=terminal_width()))
    for line in problem_lines(collection.problems):
        _complain("check", line)
    if not collection.problems.empty:
        return EXIT_BAD_INPUT  # the audit is incomplete: a source was not read
    failing = findings["verdict"].map(lambda verdict: SEVERITY[str(verdict)] >= SEVERITY[args.fail_on]).astype(bool)
    return EXIT_FINDINGS if failing.any() else EXIT_OK


# -- terminal rendering: wrapped to the terminal's width, East Asian wide characters counted as two ------------

#: The width when the output is not a terminal (a file, a pipe, a test), and the narrowest worth wrapping to.
DEFAULT_WIDTH, NARROWEST = 100, 40
#: Marks a line may not begin with (closing marks, Chinese commas and stops) or end with (opening marks):
#: the break moves so that they stay beside what they close or open.
_CLOSING = frozenset("，。、；：？！）》」』】〕〉”’%),.;:!?]}…")
_OPENING = frozenset("（《「『【〔〈“‘([{")
_DIGITS = frozenset("0123456789")


def terminal_width() -> int:
    """Columns to wrap to: ``$COLUMNS``, else the terminal's, else :data:`DEFAULT_WIDTH` (not a terminal)."""
    import shutil

    return max(NARROWEST, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


@functools.lru_cache(maxsize=4096)  # a terminal page has a few hundred distinct characters
def _char_columns(char: str) -> int:
    from wcwidth import wcwidth

    return max(0, wcwidth(char))  # a control character (-1) takes no column


def _columns(text: str) -> int:
    """Columns a terminal gives ``text``: East Asian wide characters take two."""
    return sum(_char_columns(char) for char in text)


def _visible(text: str) -> str:
    """``text`` with control characters shown as escapes (``\\x1b``): quotes come from documents, and an
    escape sequence in one must not recolour, clear or retitle the reader's terminal."""
    import unicodedata

    if text.isprintable():  # nearly always: nothing to look at character by character
        return text
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" and c not in "\t\n\r" else c
                   for c in text)


def _pieces(text: str) -> list[str]:
    """``text`` cut where a line may break: at spaces and between wide characters (Chinese breaks between
    any two), never inside a run of narrow ones (a Latin word, a number, a claim id), never between a
    number and the character after it (2024年, 10项, 1.50万), never before a closing mark or after an
    opening one. Runs of spaces are pieces of their own."""
    pieces: list[str] = []
    for char in _visible(text):
        previous = pieces[-1] if pieces else ""
        if previous.isspace() and char.isspace():
            pieces[-1] += char
        elif previous and not previous.isspace() and not char.isspace() and (
                char in _CLOSING or previous[-1] in _OPENING or previous[-1] in _DIGITS
                or _char_columns(char) == _char_columns(previous[-1]) == 1):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _fitting(pieces: list[str], room: int) -> list[str]:
    """``pieces`` with any wider than ``room`` (a rule id on a narrow terminal, a long path) cut into
    lengths that fit: after a hyphen or slash where one fits, else where the room ends."""
    out = []
    for piece in pieces:
        while _columns(piece) > room:
            cut = 1
            while _columns(piece[:cut + 1]) <= room:
                cut += 1
            joint = max(piece.rfind("-", 0, cut), piece.rfind("/", 0, cut))
            cut = joint + 1 if joint > 0 else cut
            out.append(piece[:cut])
            piece = piece[cut:]
        out.append(piece)
    return out


def wrapped(prefix: str, text: str, width: int) -> list[str]:
    """``prefix`` and ``text`` as lines of at most ``width`` columns; continuation lines are indented to
    the column where ``text`` begins, under the text they continue."""
    hang = " " * _columns(prefix)
    lines, line, used = [], prefix, len(hang)
    gap, empty = "", True  # the spaces before the next piece (dropped at a break); nothing of text yet
    for piece in _fitting(_pieces(text), max(1, width - len(hang))):
        if piece.isspace():
            gap = "" if empty else " " * max(1, _columns(piece))  # a line end or tab in a quote is a space
            continue
        size = _columns(piece)
        if not empty and used + len(gap) + size > width:
            lines.append(line)
            line, used, gap = hang, len(hang), ""
        line += gap + piece
        used += len(gap) + size
        gap, empty = "", False
    return lines + [line.rstrip()]


def _where(row) -> str:
    return " ".join(part for part in (str(row.section), str(row.claim_id)) if part)


def _budget_name(department, year, kind: str | None = None) -> str:
    """A budget as a heading names it: 测试区文化馆2024年, with its kind when known (…2024年决算); a name
    that ends in a Latin letter or digit (a file's name, when the text names no department) is spaced from
    the year, not glued to it (wuzhou-unit 2022年)."""
    if kind in (None, UNKNOWN_KIND):
        name = text("cli.budget-name", department=department, year=year)
    else:
        name = text("cli.budget-name-kind", department=department, year=year, kind=text(f"data.kind-{kind}"))
    last = str(department)[-1:]
    return name.replace(f"{department}{year}", f"{department} {year}", 1) if last.isascii() and last.isalnum() else name


def _hang() -> int:
    """Columns before a failure's rule, quote and reason: room for the widest verdict name and a space, and
    for at least two spaces after a failure's (in the current language: DRIFT and SEMANTIC, 不符 and 口径)."""
    from .findings import VERDICTS

    names = {verdict: _columns(verdict_name(verdict).upper()) for verdict in VERDICTS}
    return max(max(names.values()) + 1, max(n for verdict, n in names.items() if verdict != "consistent") + 2)


def _failure_block(row, width: int) -> list[str]:
    """verdict, rule and where; the quote; why — the quote and the reason indented under the rule."""
    hang = _hang()
    lines = wrapped(_pad(verdict_name(str(row.verdict)).upper(), hang), f"{row.rule}  {_where(row)}", width)
    if row.quote:
        lines += wrapped(" " * hang + "“", f"{row.quote}”", width)  # wrapped lines align inside the quote mark
    if row.explanation:
        lines += wrapped(" " * hang, row.explanation, width)
    return lines + [""]


def _pass_listing(passes, width: int) -> list[str]:
    """Consistent evaluations under their count, one ``ok`` line each (nothing when there are none)."""
    if passes.empty:
        return []
    lines = [text("cli.passes-heading", count=len(passes))]
    mark = f"  {text('cli.pass-mark')}  "
    for row in passes.itertuples(index=False):
        lines += wrapped(mark, "  ".join(part for part in (row.rule, _where(row), row.explanation) if part), width)
    return lines + [""]


def _limit_lines(line: str, width: int) -> list[str]:
    """One line of what a check could not do, wrapped under its text (after a count such as ``6 × ``)."""
    import re

    lead, rest = re.fullmatch(r"(\s*(?:\d+ × )?)(.*)", line, flags=re.S).groups()
    return wrapped(f"  {lead}", rest, width)


def _verdict_counts(findings) -> dict[str, int]:
    """How many evaluations have each verdict, every verdict named (0 when none has it)."""
    from .findings import VERDICTS

    counts = findings["verdict"].astype(str).value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICTS}


def _unevaluated_lines(relations, listed: bool, width: int) -> list[str]:
    """The relations a document states that no rule evaluated (``audit.unevaluated_relations``): counted
    by reason, most first, or each listed with its place, quote and reason."""
    from .audit import UNEVALUATED_REASONS

    if relations is None or relations.empty:
        return []
    if listed:
        lines = [text("cli.unevaluated-listed", count=len(relations))]
        lines += ["  " + text("cli.unevaluated-relation", where=_where(row), quote=row.quote, reason=row.explanation)
                  for row in relations.itertuples(index=False)]
    else:
        lines = [text("cli.unevaluated", count=len(relations))]
        by_reason = relations.groupby("reason", sort=False)["explanation"].agg(["first", "size"])
        order = sorted(by_reason.index, key=lambda reason: (-by_reason.at[reason, "size"],
                                                            UNEVALUATED_REASONS.index(reason)))
        lines += [text("extract.limits-reason", count=int(by_reason.at[reason, "size"]),
                       reason=by_reason.at[reason, "first"]) for reason in order]
    return [wrapped_line for line in lines for wrapped_line in _limit_lines(line, width)]


def findings_table(findings, budget_title: str, all_evaluations: bool = False, limits=(), unevaluated=None,
                   width: int = DEFAULT_WIDTH) -> str:
    """Findings for a terminal, ``width`` columns wide: failures as blocks (verdict, rule, section, quote,
    why), then the passes — counted on one line, or listed with ``all_evaluations`` — then what the check
    could not do (``limits``: a document's figures not read, sections not found; ``unevaluated``: the
    relations it states that no rule evaluated, counted by reason or, with ``all_evaluations``, listed)."""
    lines = [*wrapped("", text("cli.check-heading", title=budget_title), width), ""]
    failures = findings[findings["verdict"] != "consistent"]
    for row in failures.itertuples(index=False):
        lines += _failure_block(row, width)
    passes = findings[findings["verdict"] == "consistent"]
    if all_evaluations:
        lines += _pass_listing(passes, width)
    elif len(passes):
        lines += [text("cli.passes-not-listed", count=len(passes)), ""]
    lines += wrapped("", text("cli.evaluations", total=len(findings), **_verdict_counts(findings)), width)
    relations = _unevaluated_lines(unevaluated, all_evaluations, width)
    if limits or relations:
        lines += ["", text("cli.not-checked")]
        for line in limits:
            lines += _limit_lines(line, width)
        lines += relations
    return "\n".join(lines) + "\n"


def _pad(content: str, width: int, right: bool = False) -> str:
    content = _visible(content)
    fill = " " * max(0, width - _columns(content))
    return fill + content if right else content + fill


def collection_findings_table(findings, budgets, all_evaluations: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """A collection's findings for a terminal: each budget's failures (and its passes with
    ``all_evaluations``), then a count per budget; ``--format csv`` or ``json`` gives every evaluation."""
    from .collection import collection_documents, collection_title
    from .findings import VERDICTS
    from .kinds import kind_of_all

    if budgets.empty:
        return text("cli.no-budget-read") + "\n"
    lines = [*wrapped("", text("cli.check-heading", title=collection_title(budgets)), width), ""]
    order = {budget_id: n for n, budget_id in enumerate(budgets["budget_id"])}
    kinds = dict(zip(budgets["budget_id"], budgets["document_kind"])) if "document_kind" in budgets else {}
    shown = findings if all_evaluations else findings[findings["verdict"] != "consistent"]
    shown = shown.iloc[shown["budget_id"].map(order).argsort(kind="stable")]  # budget by budget
    for budget_id, group in shown.groupby("budget_id", sort=False):
        first = group.iloc[0]
        name = _budget_name(first["department"], first["budget_year"], kinds.get(budget_id))
        lines += [*wrapped("── ", f"{budget_id} · {name} ──", width), ""]
        for row in group[group["verdict"] != "consistent"].itertuples(index=False):
            lines += _failure_block(row, width)
        lines += _pass_listing(group[group["verdict"] == "consistent"], width) if all_evaluations else []
    counts = findings.groupby("budget_id", sort=False)["verdict"].value_counts().unstack(fill_value=0)
    counts = counts.reindex(index=list(budgets["budget_id"]), columns=list(VERDICTS), fill_value=0)
    heading = kind_of_all(kinds.values())  # 预算 when all are budgets, else what all are, or 文件
    name_width = max([_columns(heading), *(_columns(_visible(str(b))) for b in counts.index)])
    names = [verdict_name(verdict) for verdict in VERDICTS]
    widths = [max(_columns(name), 5) for name in names]
    # a table: its rows are never wrapped (a budget's counts stay on its line)
    lines.append("  ".join([_pad(heading, name_width), *(_pad(n, w, True) for n, w in zip(names, widths))]))
    for budget_id, row in counts.iterrows():
        lines.append("  ".join([_pad(str(budget_id), name_width),
                                *(_pad(str(int(row[v])), w, True) for v, w in zip(VERDICTS, widths))]))
    lines.append("")
    lines += wrapped("", text("cli.collection-evaluations", total=len(findings),
                              documents=collection_documents(budgets), **_verdict_counts(findings)), width)
    return "\n".join(lines) + "\n"


def _extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .extract import extract, write_package

    budget = extract(args.document)
    out = write_package(budget, Path(args.out) if args.out else Path(Path(args.document).stem), replace=args.force)
    report = budget.extraction
    print(text("cli.extracted", claims=len(budget.claims), line_items=len(budget.line_items),
               department=budget.department, year=budget.year, out=out))
    print(_visible(report.summary()))
    for row in report.unparsed.itertuples(index=False):
        print("  " + _visible(text("cli.not-read", line=row.line, section=row.section, figure=row.figure,
                                   reason=row.reason, text=row.text)))
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .report import ReportError, run_report, summary
    from .report.steps import OutputFolderError

    try:
        if is_collection(args.paths):
            from .report import run_collection_report

            result = run_collection_report(args.paths, args.out, notebooks=not args.no_notebooks,
                                           scheduler=args.scheduler)
        else:
            result = run_report(args.paths[0] if args.paths else None, args.out, notebooks=not args.no_notebooks)
    except OutputFolderError as error:
        _complain("report", text("cli.out-error", problem=error))
        return EXIT_BAD_INPUT
    except ReportError as error:
        _complain("report", error)
        _complain("report", text("cli.step-failed-note"))
        return EXIT_STEP_FAILED
    sys.stdout.write(summary(result))
    if result.problems:
        problems = Path(args.out) / "problems.csv"
        _complain("report", text("cli.one-source-not-read", path=problems) if result.problems == 1 else
                  text("cli.sources-not-read", count=result.problems, path=problems))
        return EXIT_BAD_INPUT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
