"""``python -m budgetkit``: the command line, the PDFs it names read in a child while this process imports the rest."""

import sys

from .pdf_pages import read_ahead


def main() -> int:
    """The command line (:func:`budgetkit.cli.main`), each PDF it names already being read (pandas is
    imported meanwhile): the entry point the installed ``budgetkit`` command can use too."""
    read_ahead(sys.argv[1:])
    from .cli import main as command_line

    return command_line()


if __name__ == "__main__":
    sys.exit(main())
