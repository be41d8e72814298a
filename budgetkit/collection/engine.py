"""The collection audit: the rules as SQL (:mod:`.sql`, :mod:`.sql_rules`) run by DuckDB over the
long tables, whole budgets a chunk at a time, one chunk per core; and the year-over-year pairs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from ..audit import REASON_YEAR, Rule, load_rules
from ..findings import FINDING_COLUMNS, VERDICTS
from ..messages import sql_text, text
from ..numbers import PLACEHOLDER_PATTERN
from ..schema import bundled_data_dir
from .columns import KEY_COLUMNS, YEAR_OVER_YEAR_RULE

__all__ = ["CHUNK_CLAIMS", "budget_chunks", "connect", "open_sources", "resolve_rules", "run_audit", "year_over_year_pairs"]


def connect(memory_limit: str | None = None):
    import duckdb  # the SQL engine loads only when a collection is audited

    from .sql import macros

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    # every result whose order matters has an ORDER BY (the findings are sorted at the end), so
    # DuckDB need not keep the rows of intermediate tables in the order they were made
    con.execute("SET preserve_insertion_order = false")
    con.execute(macros())
    return con


def resolve_rules(rules) -> list[Rule]:
    if rules is None:
        return load_rules(bundled_data_dir() / "rules.toml")
    if isinstance(rules, (str, Path)):
        return load_rules(rules)
    return list(rules)


#: The findings before their text is attached: ``cord`` is the order of the claim a finding is
#: about (NULL for none), whose section, claim_id, measure, label and quote come from T at the
#: end; ``section`` and ``quote``, when not NULL, stand instead of the claim's.
_F_COLUMNS = """budget_id BIGINT, rule VARCHAR, verdict verdict, cord BIGINT, section VARCHAR, quote VARCHAR,
    stated BIGINT, stated_scale INTEGER, stated_interval VARCHAR, computed BIGINT, computed_scale INTEGER,
    computed_interval VARCHAR, unit VARCHAR, explanation VARCHAR, inputs VARCHAR, ord BIGINT, seq BIGINT"""


#: Most claims in a chunk of the collection audit. Every rule joins within one budget, so whole
#: budgets in budget order are audited chunk by chunk, as many at a time as there are cores, and
#: each chunk's sorted findings follow the previous chunk's. Fewer, larger chunks cost less CPU
#: (each chunk reads its sources and plans its queries again); two of this size stay under 2 GB.
CHUNK_CLAIMS = 400_000


def run_audit(con, rules: list[Rule], sources: dict[str, object]) -> pd.DataFrame:
    """The findings of ``rules`` over ``sources`` (budgets, claims, lines: Arrow tables or SQL table
    expressions such as a Parquet scan), audited in chunks of budgets on cursors of ``con``."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from . import sql

    open_sources(con, sources)
    # what every chunk shares: the verdicts and the repeated strings as ENUMs, the rules ranked
    # a verdict is an ENUM in order of severity: it sorts as an integer and reaches pandas as codes
    con.execute(f"CREATE TYPE verdict AS ENUM ({', '.join(sql.lit(v) for v in VERDICTS)})")
    # the strings repeated on every row (budget, department, rule, kind, reason) go through the sort
    # as ENUM codes; they reach Arrow as dictionaries, decoded in _findings_frame
    con.execute("""CREATE TYPE budget_text AS ENUM (SELECT DISTINCT name FROM (
                       SELECT budget_id AS name FROM budgets_src UNION ALL SELECT department FROM budgets_src)
                   WHERE name IS NOT NULL)""")
    rule_texts = sorted({text for r in rules for text in (r.id, r.kind, r.reason) if text is not None})
    con.execute(f"CREATE TYPE rule_text AS ENUM ({', '.join(sql.lit(text) for text in rule_texts)})")
    con.execute(sql.measure_type_sql(rules))
    # rule_rank: the rules in the order of their ids, an integer to sort by
    con.execute("CREATE TABLE RULES (rule VARCHAR, rule_kind VARCHAR, reason VARCHAR, rule_rank INTEGER)")
    ranks = {rule_id: rank for rank, rule_id in enumerate(sorted({r.id for r in rules}))}
    con.executemany("INSERT INTO RULES VALUES (?, ?, ?, ?)", [[r.id, r.kind, r.reason, ranks[r.id]] for r in rules])
    workers = os.cpu_count() or 1
    chunks = budget_chunks(con, workers)
    workers = min(len(chunks), workers)
    if workers > 1:  # one DuckDB thread per chunk: each chunk runs on the thread that submits it
        con.execute("SET threads = 1")
    with ThreadPoolExecutor(workers) as pool:  # DuckDB releases the GIL while it works
        tables = list(pool.map(lambda chunk: _audit_chunk(con.cursor(), rules, sources, chunk), chunks))
    return _findings_frame(pa.concat_tables(tables))


def open_sources(con, sources: dict[str, object], chunk: tuple[int, int] | None = None) -> None:
    """Views budgets_src, claims_src, lines_src on ``con`` (a cursor: views are its own), limited
    to the budgets whose budget_order lies in ``chunk`` (inclusive) if given."""
    tables = {}
    for name, source in sources.items():
        if isinstance(source, pa.Table):
            con.register(f"{name}_all", source)
            source = f"{name}_all"
        tables[name] = source
    within = "" if chunk is None else f"WHERE budget_order BETWEEN {int(chunk[0])} AND {int(chunk[1])}"
    con.execute(f"CREATE TEMP VIEW budgets_src AS SELECT * FROM {tables['budgets']} {within}")
    for name in ("claims", "lines"):
        mine = "" if chunk is None else "WHERE budget_id IN (SELECT budget_id FROM budgets_src)"
        con.execute(f"CREATE TEMP VIEW {name}_src AS SELECT * FROM {tables[name]} {mine}")


def budget_chunks(con, workers: int = 1) -> list[tuple[int, int] | None]:
    """Ranges of budget_order holding at most about CHUNK_CLAIMS claims each, as many as a multiple
    of ``workers`` so that none waits alone at the end (``[None]``: all at once)."""
    counts = con.execute("""SELECT CAST(b.budget_order AS BIGINT) AS o, count(c.budget_id) AS n
                            FROM budgets_src b LEFT JOIN (SELECT budget_id FROM claims_src) c USING (budget_id)
                            GROUP BY o ORDER BY o""").fetchnumpy()
    orders, total = counts["o"], np.cumsum(counts["n"])
    parts = -(-int(total[-1]) // CHUNK_CLAIMS) if len(total) else 1
    if parts <= 1:
        return [None]
    parts = -(-parts // workers) * workers
    # the first budget of each chunk: where the running count of claims passes a multiple of the share
    starts = np.unique(np.searchsorted(total, [total[-1] * k / parts for k in range(1, parts)], side="right"))
    starts = [0, *(int(i) for i in starts if 0 < i < len(orders))]
    ends = [*(i - 1 for i in starts[1:]), len(orders) - 1]
    return [(int(orders[a]), int(orders[b])) for a, b in zip(starts, ends)]


def _audit_chunk(con, rules: list[Rule], sources: dict[str, object], chunk: tuple[int, int] | None) -> pa.Table:
    """The findings of the budgets of ``chunk``, sorted, as Arrow (budget, rule and verdict as ENUMs)."""
    from . import sql, sql_rules

    open_sources(con, sources, chunk)
    con.execute(sql.ENRICH)
    # the fixed point (10⁻¹⁰ 万元) holds every rounding half-unit except of 元 printed with 6 decimals
    beyond = con.execute("""SELECT b.name, e.claim_id FROM E e JOIN B b USING (budget_id)
                            WHERE e.unit = '元' AND e.d > 5 LIMIT 1""").fetchall()
    if beyond:
        raise ValueError(text("audit.finer-than-fixed-point", budget=beyond[0][0], claim=beyond[0][1]))
    share_parts, share_wholes, change_currents = con.execute(sql.UNNAMED).fetchone()
    con.execute(sql.share_parts_sql(share_parts > 0, share_wholes > 0))
    con.execute(sql.change_parts_sql(change_currents > 0))
    con.execute(f"CREATE OR REPLACE TEMP TABLE F ({_F_COLUMNS})")
    batches = {"sum": [r for r in rules if r.kind == "sum" and "over" not in r.params],
               "bound": [r for r in rules if r.kind == "bound"]}
    for kind, builder in (("sum", sql_rules.sums_sql), ("bound", sql_rules.bounds_sql)):
        if batches[kind]:
            _insert_rows(con, builder(batches[kind]))
    for rule in rules:
        if any(rule in batch for batch in batches.values()):
            continue
        if rule.kind == "text" and rule.params["check"] in sql_rules.TEXT_SQL_BUILDERS:
            query = sql_rules.TEXT_SQL_BUILDERS[rule.params["check"]](rule)
        elif rule.kind == "text":
            _insert_frame(con, _scanned_text_rows(con, rule))
            continue
        else:
            query = sql_rules.SQL_BUILDERS[rule.kind](rule)
        _insert_rows(con, query, rule.id)
    con.execute("DROP VIEW S; DROP TABLE E; DROP TABLE SHP; DROP TABLE CHP")  # free their memory for the result
    return con.sql("""
        WITH b AS (SELECT budget_order, CAST(budget_id AS budget_text) AS budget_id,
                          CAST(department AS budget_text) AS department, budget_year FROM budgets_src),
        r AS (SELECT rule AS id, CAST(rule AS rule_text) AS rule, CAST(rule_kind AS rule_text) AS rule_kind,
                     CAST(reason AS rule_text) AS reason, rule_rank FROM RULES)
        SELECT b.budget_id, b.department, CAST(b.budget_year AS BIGINT) AS budget_year, r.rule, r.rule_kind,
               f.verdict, coalesce(f.section, t.section) AS section,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.claim_id END AS claim_id,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.measure END AS measure,
               CASE WHEN f.cord IS NULL THEN '' ELSE t.label END AS label,
               f.stated, f.stated_interval, f.computed, f.computed_interval, f.stated - f.computed AS difference,
               f.unit, coalesce(f.quote, t.quote) AS quote, f.explanation, f.inputs, r.reason,
               CASE WHEN f.stated IS NULL THEN 0 ELSE f.stated_scale END AS s1,
               CASE WHEN f.computed IS NULL THEN 0 ELSE f.computed_scale END AS s2
        FROM F f JOIN b ON b.budget_order = f.budget_id JOIN r ON r.id = f.rule
        LEFT JOIN T t ON t.key = claim_key(f.budget_id, f.cord)
        ORDER BY f.budget_id, f.verdict DESC, f.ord, r.rule_rank, f.seq
    """).to_arrow_table()


def _insert_rows(con, query: str, rule_id: str | None = None) -> None:
    """Insert into F the rows of a rule query: ROW_COLUMNS, then ``rule`` unless ``rule_id`` names it."""
    from .sql import ROW_COLUMNS, lit

    columns = ", ".join(ROW_COLUMNS)
    names, rule = (f"{columns}, rule", "rule") if rule_id is None else (columns, f"{lit(rule_id)} AS rule")
    # every rule row is about the claim of its ord
    con.execute(f"INSERT INTO F BY NAME SELECT {columns}, {rule}, ord AS cord FROM ({query}) t({names})")


def _findings_frame(table: pa.Table) -> pd.DataFrame:
    scale = 2
    for column in ("s1", "s2"):
        if table.num_rows:
            scale = max(scale, pa.compute.max(table[column]).as_py())
    columns = {}
    for name in [*KEY_COLUMNS, *FINDING_COLUMNS]:
        if name in ("stated", "computed", "difference"):
            columns[name] = decimal_series(table[name], scale)
        elif name == "budget_year":
            columns[name] = pd.Series(table[name].to_pandas(), dtype="Int64")
        elif name == "verdict":
            columns[name] = _verdicts(table[name])
        else:  # Arrow strings become pandas' str dtype without a Python object per value
            column = table[name]
            if pa.types.is_dictionary(column.type):  # an ENUM of run_audit
                column = column.cast(column.type.value_type)
            columns[name] = pd.Series(column.to_pandas(), dtype="str")
    return pd.DataFrame(columns)


def _verdicts(column: pa.ChunkedArray) -> pd.Categorical:
    """The verdict ENUM (Arrow dictionary chunks) as an ordered Categorical, from its codes."""
    codes = [np.array([VERDICTS.index(v) for v in chunk.dictionary.to_pylist()], dtype="int8")[
             chunk.indices.to_numpy(zero_copy_only=False)] for chunk in column.chunks]
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.array([], dtype="int8"),
                                     categories=list(VERDICTS), ordered=True)


def decimal_series(column, scale: int) -> pd.Series:
    """A column of Q counts (BIGINT, 10⁻¹⁰ units) as exact Arrow decimals with ``scale`` decimals."""
    from .sql import SCALE

    array = column.combine_chunks().cast(pa.decimal128(38, 0)).view(pa.decimal128(38, SCALE))
    return pd.Series(array.cast(pa.decimal128(38, scale)), dtype=pd.ArrowDtype(pa.decimal128(38, scale)))


def _insert_frame(con, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("text_rows", pa.Table.from_pandas(frame, preserve_index=False))
    con.execute("INSERT INTO F BY NAME SELECT * FROM text_rows")
    con.unregister("text_rows")


def _scanned_text_rows(con, rule: Rule) -> pd.DataFrame:
    """The text checks that read the document's lines: DuckDB finds the candidate lines across the
    collection; Python's ``re`` (the pattern ``audit`` uses) reads exact spans on those few lines.
    Gives rows of F (see _F_COLUMNS); the placeholder check inserts its consistent rows into F itself."""
    from . import sql

    check = rule.params["check"]
    rows = []
    base = {"rule": rule.id}
    if check == "placeholder":
        hits = con.execute("""
            WITH l AS (SELECT CAST(b.budget_order AS BIGINT) AS budget_id, l.line, l.text, l.section
                       FROM lines_src l JOIN budgets_src b ON b.budget_id = l.budget_id WHERE regexp_matches(l.text, ?))
            SELECT l.budget_id, l.line, l.text, l.section,
                   coalesce((SELECT string_agg(claim_id, ' ' ORDER BY ord) FROM E WHERE E.budget_id = l.budget_id AND E.line = l.line), '') AS inputs,
                   coalesce((SELECT min(ord) FROM E WHERE E.budget_id = l.budget_id AND E.line >= l.line),
                            (SELECT count(*) FROM E WHERE E.budget_id = l.budget_id)) AS ord
            FROM l
        """, [PLACEHOLDER_PATTERN.pattern]).fetchall()
        found = set()
        for budget_id, number, line, section, inputs, order in hits:
            for match in PLACEHOLDER_PATTERN.finditer(line):
                found.add(budget_id)
                start, end = match.span()
                rows.append({**base, "budget_id": budget_id, "verdict": "text", "cord": None, "section": section,
                             "quote": line[max(0, start - 20):min(len(line), end + 20)].strip(),
                             "explanation": text("audit.placeholder", placeholder=match.group(), line=number),
                             "inputs": inputs, "ord": order, "seq": number * 10000 + start})
        # the consistent row of every other budget (most of them) goes into F without a Python object per row
        con.execute(f"""
            INSERT INTO F BY NAME SELECT CAST(budget_order AS BIGINT) AS budget_id, {sql.lit(rule.id)} AS rule,
                   'consistent' AS verdict, '' AS section, '' AS quote, 0 AS stated_scale, '' AS stated_interval,
                   0 AS computed_scale, '' AS computed_interval, '' AS unit,
                   {sql_text("audit.no-placeholder")} AS explanation, '' AS inputs, -1 AS ord, 0 AS seq
            FROM budgets_src WHERE NOT list_contains(CAST(? AS BIGINT[]), CAST(budget_order AS BIGINT))""", [sorted(found)])
    elif check == "reason-year":
        candidates = con.execute("""
            SELECT c.budget_id, c.char_end, c.base_year, c.year, c.ord, l.text
            FROM E c JOIN B b USING (budget_id) JOIN lines_src l ON l.budget_id = b.name AND l.line = c.line
            WHERE c.kind = 'change' AND c.base_year IS NOT NULL AND c.line > 0 AND l.text LIKE '%主要%'
        """).fetchall()
        for budget_id, char_end, base_year, year, order, line in candidates:
            reason = REASON_YEAR.search(line, char_end)
            if reason is None:
                continue
            named = int(reason.group(1))
            ok = named != base_year
            explanation = (text("audit.reason-year", year=named) if ok else
                           text("audit.reason-year-compared", base_year=base_year, year=year, named=named))
            # about the change claim (its section and the rest come with it), quoting the reason
            rows.append({**base, "budget_id": budget_id, "verdict": "consistent" if ok else "text",
                         "cord": order, "section": None, "quote": reason.group(0), "explanation": explanation,
                         "inputs": "", "ord": order, "seq": 0})
    else:  # pragma: no cover - load_rules admits only the checks above
        raise ValueError(f"unknown text check {check!r}")  # not a message: cannot happen
    frame = pd.DataFrame(rows, columns=["budget_id", "rule", "verdict", "cord", "section", "quote", "explanation",
                                        "inputs", "ord", "seq"])
    return pd.DataFrame({
        "budget_id": frame["budget_id"], "rule": frame["rule"], "verdict": frame["verdict"],
        "cord": frame["cord"].astype("Int64"), "section": frame["section"],
        "stated": pd.Series([None] * len(frame), dtype="object"), "stated_scale": 0, "stated_interval": "",
        "computed": pd.Series([None] * len(frame), dtype="object"), "computed_scale": 0, "computed_interval": "",
        "unit": "", "quote": frame["quote"], "explanation": frame["explanation"], "inputs": frame["inputs"],
        "ord": frame["ord"].astype("int64"), "seq": frame["seq"].astype("int64"),
    })


def year_over_year_pairs(con) -> pd.DataFrame:
    """Prior-year figures of year Y+1's document against year Y's own figures, per department."""
    from .sql import ENRICH, measure_type_sql

    con.execute(measure_type_sql([]))
    con.execute(ENRICH)
    pair = {"later": "describe_claim(l.label, l.v, l.vs, l.unit, l.section, l.claim_id)", "later_budget": "l.name",
            "earlier": "describe_claim(e.label, e.v, e.vs, e.unit, e.section, e.claim_id)", "earlier_budget": "e.name"}
    table = con.sql(f"""
        WITH b AS (SELECT CAST(budget_order AS BIGINT) AS budget_id, budget_id AS name, department,
                          CAST(budget_year AS INTEGER) AS budget_year FROM budgets_src),
        st AS (SELECT s.*, t.label, t.section FROM S s JOIN T t USING (budget_id, ord)),
        later AS (  -- figures of an earlier year stated in a later budget
            SELECT s.*, b.name, b.department, b.budget_year FROM st s JOIN b USING (budget_id) WHERE s.year < b.budget_year
        ), earlier AS (  -- the first statement of that quantity in the budget of its own year
            SELECT s.*, b.name, b.department FROM st s JOIN b USING (budget_id) WHERE s.year = b.budget_year
            QUALIFY row_number() OVER (PARTITION BY s.budget_id, s.measure, s.code, s.year, s.cunit ORDER BY s.ord) = 1
        )
        SELECT l.department, l.measure, l.code, l.year AS restated_year,
               l.name AS later_budget_id, l.claim_id AS later_claim_id, l.label AS later_label,
               l.amt AS later_q, l.as_ AS later_s,
               e.name AS earlier_budget_id, e.claim_id AS earlier_claim_id, e.label AS earlier_label,
               e.amt AS earlier_q, e.as_ AS earlier_s, l.amt - e.amt AS difference_q,
               verdict(l.lo, l.hi, l.amt, l.lp, e.lo, e.hi) AS verdict,
               CASE WHEN verdict(l.lo, l.hi, l.amt, l.lp, e.lo, e.hi) = 'consistent'
                    THEN {sql_text("audit.year-over-year-restates", **pair)}
                    ELSE {sql_text("audit.year-over-year-differs", **pair)} END AS explanation,
               l.unit AS unit
        FROM later l JOIN earlier e ON e.department = l.department AND e.year = l.year AND e.measure = l.measure
             AND e.code IS NOT DISTINCT FROM l.code AND e.cunit = l.cunit
        ORDER BY l.department, l.year, l.measure, l.code, l.name, l.ord
    """).to_arrow_table()
    out = pd.DataFrame({name: table[name].to_pandas() for name in table.column_names
                        if not name.endswith(("_q", "_s"))})
    out = out.astype({name: "str" for name in out.columns if name != "restated_year"})
    out["restated_year"] = out["restated_year"].astype("Int64")
    for name in ("later", "earlier", "difference"):
        out[f"{name}_stated" if name != "difference" else name] = decimal_series(table[f"{name}_q"], 4)
    out["verdict"] = pd.Categorical(out["verdict"], categories=list(VERDICTS), ordered=True)
    out.insert(0, "rule", YEAR_OVER_YEAR_RULE)
    columns = ["rule", "verdict", "department", "measure", "code", "restated_year", "later_budget_id",
               "later_claim_id", "later_label", "later_stated", "earlier_budget_id", "earlier_claim_id",
               "earlier_label", "earlier_stated", "difference", "unit", "explanation"]
    return out[columns]
