"""The baseline of the PDF benchmark: what pdfplumber alone takes to read a PDF's text and tables.

    python benchmarks/pdf_baseline.py FILE.pdf

Every page's text (``extract_text``) and tables (``extract_tables``), nothing else; prints the peak
memory of the process in MB, as ``budgetkit check`` is measured beside it.
"""

import resource
import sys

import pdfplumber

with pdfplumber.open(sys.argv[1]) as pdf:
    for page in pdf.pages:
        page.extract_text()
        page.extract_tables()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
