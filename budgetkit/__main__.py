"""``python -m budgetkit``: the command line, the PDFs it names read in a child while this process imports the rest."""

import gc
import sys

from .pdf_pages import read_ahead

#: The cyclic collector's thresholds for a command: one young pass per 100,000 allocations, not per 700,
#: and a full pass per 20 million. A command lives for seconds; at the default the passes over the objects
#: that pandas, pyarrow and pdfminer create take a tenth of its time, and reference counting frees nearly
#: all of them anyway. A collection's audit, which runs for minutes, still gets its full passes.
COMMAND_GC_THRESHOLDS = (100_000, 20, 10)


def main() -> int:
    """The command line (:func:`budgetkit.cli.main`), each PDF it names already being read (pandas is
    imported meanwhile): the entry point the installed ``budgetkit`` command can use too."""
    gc.set_threshold(*COMMAND_GC_THRESHOLDS)
    read_ahead(sys.argv[1:])
    from .cli import main as command_line

    try:
        return command_line()
    finally:
        gc.freeze()  # what is alive at exit is freed with the process, not traversed once more first


if __name__ == "__main__":
    sys.exit(main())
