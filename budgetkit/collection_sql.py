"""The audit rules as SQL over a long table of claims: one query per rule for a whole collection or a chunk of it.

Every rule kind of ``budgetkit.audit`` is restated here as set operations (joins, window
functions, aggregates) run by DuckDB, so a collection of 10 000 budgets is audited in one pass
per rule (per chunk of a few thousand whole budgets: ``collection._chunks``) rather than one
Python loop per budget. The findings are the same rows, verdicts, figures and explanations as
``budgetkit.audit.audit`` gives budget by budget (tests compare).

Exact money: DuckDB divides DECIMALs in floating point, so every quantity is carried as a
BIGINT count of 10⁻¹⁰ of its unit (``Q``; up to 9·10⁸ 万元, and fast, unlike HUGEINT). Sums,
differences and comparisons are exact integer arithmetic; shares and percentage changes are
HUGEINT divisions floored, ceiled or rounded half to even at the guard digits ``audit`` uses. Each figure also carries the scale it is printed with,
so explanations print 841.00 as 841.00, exactly as ``audit._fmt`` does.

Input relations (registered in-memory Arrow tables or Parquet files, same columns either way):
``budgets_src`` (budget_id, budget_order …), ``claims_src`` (claims columns plus budget_id and
claim_order) and ``lines_src`` (budget_id, line, text, section). Inside the queries a budget is
its budget_order and a claim its claim_order (``ord``) within it: the rules join, group and
compare on these integers, on integer section ids and on measures as ENUM codes (``measure_name``). The long text of a claim (section, label,
quote) lives apart in table ``T`` and is joined only to the rows a query yields, for their
explanations and, at the very end, for the finding's own columns. Text rules scan ``lines_src``
with DuckDB's regular expressions and hand only the matching lines to Python's ``re`` for exact spans.
"""

from __future__ import annotations

from decimal import Decimal

from .audit import CURRENT_YEAR_BASE, DIFFERENCE_LABELS, SHARE_GUARD_DIGITS, Rule
from .claims import COUNT_UNITS
from .numbers import MONEY_UNITS
from .template import LEVEL_WIDTHS

#: Fixed point of every quantity in SQL: 10⁻¹⁰ of its unit.
SCALE = 10
Q = 10**SCALE
#: Fixed point of a figure shown in an explanation, in the unit it is shown in: 10⁻¹⁴ of it, enough
#: for any amount of the claims (four decimals at most) in 亿元 as in 元.
SHOW_SCALE = 14
QS = 10**SHOW_SCALE
#: The count units (exact figures) as an SQL list, from the one declaration the Python audit reads.
COUNT_UNIT_LIST = ", ".join("'" + unit.replace("'", "''") + "'" for unit in sorted(COUNT_UNITS))
#: Each money unit's factor to 万元 as a power of ten (元 −4, 亿元 +4), from template.MONEY_UNITS.
MONEY_POWERS = {unit: int(factor.log10()) for unit, factor in MONEY_UNITS.items()}
assert all(MONEY_UNITS[unit] == Decimal(10) ** power for unit, power in MONEY_POWERS.items()), "a money factor is not a power of ten"
MONEY_UNIT_LIST = ", ".join(f"'{unit}'" for unit in MONEY_POWERS)


def by_money_unit(value, default: str = "ELSE 0") -> str:
    """``CASE unit WHEN '元' THEN … END``: ``value(power)`` for each money unit whose power is not 0."""
    whens = " ".join(f"WHEN '{unit}' THEN {value(power)}" for unit, power in MONEY_POWERS.items() if power)
    return f"CASE unit {whens} {default} END"


MACROS = f"""
CREATE OR REPLACE MACRO p10(k) AS CAST(pow(10, k) AS BIGINT);
CREATE OR REPLACE MACRO p10h(k) AS CAST(pow(10, k) AS HUGEINT);
-- integer division by a positive divisor, floored, ceiled, or rounded half to even (q = qfloor(n, b));
-- the rules call these on precomputed columns only, so DuckDB plans small expressions
CREATE OR REPLACE MACRO qfloor(n, b) AS n // b - CASE WHEN n % b < 0 THEN 1 ELSE 0 END;
CREATE OR REPLACE MACRO qceil(n, b) AS n // b + CASE WHEN n % b > 0 THEN 1 ELSE 0 END;
CREATE OR REPLACE MACRO qeven(n, b, q) AS q + CASE WHEN 2 * (n - q * b) > b THEN 1
    WHEN 2 * (n - q * b) = b AND q % 2 <> 0 THEN 1 ELSE 0 END;
-- a Q count printed with s decimals, as format(Decimal, 'f') prints it
CREATE OR REPLACE MACRO fmt(x, s) AS
    (CASE WHEN x < 0 THEN '-' ELSE '' END) || CAST(abs(x) // {Q} AS VARCHAR)
    || CASE WHEN s > 0 THEN '.' || substr(CAST(abs(x) % {Q} + {Q} AS VARCHAR), 2, s) ELSE '' END;
-- a Q count of the comparison unit (money in 万元) as a figure in `unit`, at d decimals or more where
-- the exact value needs them (audit._in_unit): shown to 10⁻{SHOW_SCALE} of the unit, trailing zeros cut to d
CREATE OR REPLACE MACRO showmul(unit) AS CAST({by_money_unit(lambda k: 10**(SHOW_SCALE - SCALE - k),
                                                               f"ELSE {10**(SHOW_SCALE - SCALE)}")} AS HUGEINT);
CREATE OR REPLACE MACRO showfrac(y) AS substr(CAST(abs(y) % {QS} + {QS} AS VARCHAR), 2);
CREATE OR REPLACE MACRO showfmt(y, s) AS
    (CASE WHEN y < 0 THEN '-' ELSE '' END) || CAST(abs(y) // {QS} AS VARCHAR)
    || CASE WHEN s > 0 THEN '.' || substr(showfrac(y), 1, s) ELSE '' END;
CREATE OR REPLACE MACRO showy(y, d) AS showfmt(y, greatest(d, length(rtrim(showfrac(y), '0'))));
CREATE OR REPLACE MACRO inunit(x, unit, d) AS showy(CAST(x AS HUGEINT) * showmul(unit), d);
-- a unit named only when the explanation mixes units (audit._printed)
CREATE OR REPLACE MACRO usuffix(mixed, unit) AS CASE WHEN mixed THEN coalesce(unit, '') ELSE '' END;
CREATE OR REPLACE MACRO udiff(a, b) AS coalesce(a, '') <> coalesce(b, '');
-- the decimals of a figure computed from two inputs in `unit` (audit._decimals): the most of the
-- inputs printed in that unit, else those of the figure it is compared with
CREATE OR REPLACE MACRO dpick(u1, d1, u2, d2, unit, fallback) AS CASE
    WHEN NOT udiff(u1, unit) AND NOT udiff(u2, unit) THEN greatest(d1, d2) WHEN NOT udiff(u1, unit) THEN d1
    WHEN NOT udiff(u2, unit) THEN d2 ELSE fallback END;
CREATE OR REPLACE MACRO itext(lo, hi, s) AS '[' || fmt(lo, s) || ', ' || fmt(hi, s) || ']';
CREATE OR REPLACE MACRO verdict(slo, shi, sval, lp, clo, chi) AS
    CASE WHEN slo <= chi AND clo <= shi THEN 'consistent'
         WHEN greatest(sval - chi, clo - sval) <= lp THEN 'rounding' ELSE 'drift' END;
CREATE OR REPLACE MACRO describe_claim(label, v, vs, unit, section, claim_id) AS
    label || ' ' || fmt(v, vs) || unit || ' (' || section || ', ' || claim_id || ')';
-- one integer naming a claim of the collection: joining two claims of a budget on (budget_id, ord)
-- lets DuckDB infer a join of all their budget's claims on budget_id alone, millions of rows
CREATE OR REPLACE MACRO claim_key(budget_id, ord) AS budget_id * 4294967296 + ord;
CREATE OR REPLACE MACRO dirword(direction) AS CASE direction
    WHEN 'increase' THEN 'an increase of' WHEN 'decrease' THEN 'a decrease of' WHEN 'unchanged' THEN 'no change,'
    WHEN 'unspecified' THEN 'a change (direction left unfilled) of' ELSE 'a change of' END;
"""

def measure_type_sql(rules: list[Rule]) -> str:
    """The ENUM ``measure_name`` of every measure the claims and ``rules`` name: E carries measures
    as its codes, so the joins and groups on a measure compare small integers, not strings."""
    named = {m for r in rules for key in ("total", "parts", "measure", "measures", "part", "whole")
             for m in ([r.params[key]] if isinstance(r.params.get(key), str) else r.params.get(key) or [])}
    named |= {m for r in rules for measures in (r.params.get("substitutes") or {}).values() for m in measures}
    named = sorted(named)
    extra = "".join(f" UNION ALL SELECT {lit(m)}" for m in named)
    # in alphabetical order, so that sorting by a measure (as the year-over-year table does) is
    # sorting by its name, the same on every run
    return f"""CREATE TYPE measure_name AS ENUM (SELECT DISTINCT m FROM (
        SELECT measure AS m FROM claims_src UNION ALL SELECT base_measure FROM claims_src{extra}) WHERE m IS NOT NULL
        ORDER BY m)"""


def mlit(measure: str) -> str:
    """A measure named by a rule, as a code of ``measure_name``."""
    return f"CAST({lit(measure)} AS measure_name)"


#: The claims read for arithmetic (as claims.Claim reads them): value, amount, interval and their printed scales.
#: B maps budget names to their order; T holds each claim's text; SECTIONS numbers the sections.
ENRICH = f"""
-- budgets are keyed by their order, an integer: joins on it are much faster than on long strings
CREATE OR REPLACE TEMP TABLE B AS SELECT CAST(budget_order AS BIGINT) AS budget_id, budget_id AS name FROM budgets_src;
-- the text of each claim, kept out of E so that no join or aggregate carries it
CREATE OR REPLACE TEMP TABLE T AS
SELECT claim_key(b.budget_id, c.claim_order) AS key, b.budget_id, CAST(c.claim_order AS BIGINT) AS ord, c.claim_id,
       c.section, c.measure, c.label, coalesce(c.quote, '') AS quote
FROM claims_src c JOIN B b ON b.name = c.budget_id;
-- sections as integers: sid names the section, top the numbered section it belongs to (三（一） → 三)
CREATE OR REPLACE TEMP TABLE SECTIONS AS
SELECT section, CAST(row_number() OVER () AS INTEGER) AS sid,
       CAST(dense_rank() OVER (ORDER BY split_part(section, '（', 1)) AS INTEGER) AS top
FROM (SELECT DISTINCT section FROM T WHERE section IS NOT NULL);
CREATE OR REPLACE TEMP TABLE E AS
WITH base AS (
    SELECT claim_key(b.budget_id, c.claim_order) AS key, b.budget_id, CAST(c.claim_order AS BIGINT) AS ord,
           c.claim_id, sec.sid, sec.top,
           kind, CAST(c.measure AS measure_name) AS measure, code, CAST(year AS INTEGER) AS year,
           CAST(CAST(value AS DECIMAL(18, 4)) * 10000 AS BIGINT) * p10({SCALE} - 4) AS v,
           CAST(decimals AS INTEGER) AS d, unit,
           CASE WHEN unit IN ({MONEY_UNIT_LIST}) THEN '万元' ELSE unit END AS cunit,
           direction, CAST(base_measure AS measure_name) AS base_measure, CAST(base_year AS INTEGER) AS base_year,
           ref_claim_id AS ref, base_claim_id AS base, c.qualifier AS qual,
           coalesce(CAST(line AS INTEGER), 0) AS line, coalesce(CAST(char_end AS INTEGER), 0) AS char_end
    FROM claims_src c JOIN B b ON b.name = c.budget_id
    LEFT JOIN SECTIONS sec ON sec.section = c.section
), amounts AS (
    SELECT *, coalesce(d, 0) AS vs,
           coalesce(d, 0) + {by_money_unit(lambda k: max(0, -k))} AS as_,
           {by_money_unit(lambda k: f'v // {10**-k}' if k < 0 else f'v * {10**k}', 'ELSE v')} AS amt,
           (unit IN ({COUNT_UNIT_LIST}) OR d IS NULL OR (v = 0 AND d = 0)) AS exact,
           {by_money_unit(lambda k: 10**max(0, -k), 'ELSE 1')} AS down,
           {by_money_unit(lambda k: 10**max(0, k), 'ELSE 1')} AS up
    FROM base
), intervals AS (
    SELECT *, CASE WHEN exact OR v IS NULL THEN CAST(0 AS BIGINT)
                   ELSE 5 * p10({SCALE} - 1 - d) * up // down END AS half,
              CASE WHEN exact THEN as_ ELSE d + 1 + {by_money_unit(lambda k: max(0, -k))} END AS is_
    FROM amounts
)
SELECT * EXCLUDE (exact, down, up, half), amt - half AS lo, amt + half AS hi, 2 * half AS lp,
       kind IN ('amount', 'total', 'count') AND v IS NOT NULL AS st,
       CASE WHEN direction = 'decrease' THEN -v ELSE v END AS sv,
       CASE WHEN direction = 'decrease' THEN -amt ELSE amt END AS sa,
       CASE WHEN direction = 'decrease' THEN -(amt + half) WHEN direction = 'unspecified' THEN -(amt + half)
            ELSE amt - half END AS slo,
       CASE WHEN direction = 'decrease' THEN -(amt - half) ELSE amt + half END AS shi
FROM intervals;
CREATE OR REPLACE TEMP VIEW S AS SELECT * FROM E WHERE st;
"""

#: The columns every rule query yields, in this order; ``ord`` is the order of the claim the row is
#: about, whose section, claim_id, measure, label and quote are attached from T at the end.
ROW_COLUMNS = [
    "budget_id", "verdict", "stated", "stated_scale", "stated_interval", "computed", "computed_scale",
    "computed_interval", "unit", "explanation", "inputs", "ord", "seq",
]


def lit(value) -> str:
    """A Python value as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def pick(requests: str) -> str:
    """audit._Claims.pick for many requests at once.

    ``requests`` yields budget_id, p_measure, p_year, p_code and the section near which to look
    (p_sid, p_top: its ids, NULL for none) with any other columns; the result adds ``pid``: the
    order of the statement in that section if any, else in its numbered section, else the first printed.
    """
    # an aggregate, not a window: DuckDB groups many small partitions much faster than it sorts them;
    # grouped on a request number alone, not on every column of the request
    return f"""
    WITH req AS (SELECT row_number() OVER () AS rid, * FROM ({requests})),
    picked AS (
        SELECT r.rid, arg_min(s.ord, CASE WHEN r.p_sid IS NULL OR s.sid = r.p_sid THEN 0
                 WHEN s.top = r.p_top THEN 1 ELSE 2 END * 1000000000 + s.ord) AS pid
        FROM req r JOIN S s
          ON s.budget_id = r.budget_id AND s.measure = r.p_measure AND s.year = r.p_year
         AND s.code IS NOT DISTINCT FROM r.p_code
        GROUP BY r.rid
    )
    SELECT req.* EXCLUDE (rid), picked.pid FROM req JOIN picked USING (rid)"""


def claim_cols(alias: str, prefix: str) -> str:
    """The arithmetic of a claim (no text: see T) as prefixed columns."""
    names = ["claim_id", "ord", "sid", "kind", "measure", "code", "year", "v", "vs", "d", "unit",
             "cunit", "amt", "as_", "lo", "hi", "is_", "lp", "direction", "sv", "sa", "slo", "shi"]
    return ", ".join(f"{alias}.{name} AS {prefix}{name}" for name in names)


def describe(claim: str, text: str, prefix: str = "") -> str:
    """audit._describe of a claim: its figures from ``claim`` (columns ``prefix``v …), its text
    from ``text`` (a row of T)."""
    c = f"{claim}.{prefix}"
    return f"describe_claim({text}.label, {c}v, {c}vs, {c}unit, {text}.section, {c}claim_id)"


def text_of(alias: str, budget: str, ord_: str) -> str:
    """A join of T for the claim ``budget``/``ord_``, as ``alias``."""
    return f"JOIN T {alias} ON {alias}.key = claim_key({budget}, {ord_})"


def note(need: str, limit: int, lead: str, tail: str, *, drop_measure: bool = False) -> str:
    """audit._same_value for many rows, each figure named: ``need`` yields fid, budget_id, target,
    unit, used (orders of claims not to name) [and measure]; gives fid and the note text."""
    measure_filter = "AND e.measure <> n.measure" if drop_measure else ""
    return f"""
    SELECT m.fid, {lit(lead)} || string_agg({describe('e', 't')}, '; ' ORDER BY m.first_ord) || {lit(tail)} AS note
    FROM ({_same_value(need, limit, measure_filter)}) m
    JOIN E e ON e.key = claim_key(m.budget_id, m.first_ord) {text_of('t', 'm.budget_id', 'm.first_ord')}
    GROUP BY m.fid"""


def difference_note(need: str) -> str:
    """audit._difference_note for many rows (``need`` as for :func:`note`): the one figure the
    difference equals, or the labels of the several measures whose figures equal it."""
    labels = DIFFERENCE_LABELS
    return f"""
    SELECT m.fid, CASE WHEN max(m.nm) = 1
                       THEN ' The difference equals ' || string_agg({describe('e', 't')}, '') || '.'
                       ELSE ' Several stated figures equal the difference ('
                            || string_agg(coalesce(t.label, ''), ', ' ORDER BY m.first_ord)
                            || CASE WHEN max(m.nm) > {labels} THEN ', …' ELSE '' END || ').' END AS note
    FROM ({_same_value(need, labels, "")}) m
    JOIN E e ON e.key = claim_key(m.budget_id, m.first_ord) {text_of('t', 'm.budget_id', 'm.first_ord')}
    GROUP BY m.fid"""


def _same_value(need: str, limit: int, measure_filter: str) -> str:
    """The first claim (first_ord) of each measure stating each row's target, the first ``limit`` of
    them by order, and how many measures state it (nm)."""
    return f"""
        SELECT n.fid, n.budget_id, min(e.ord) AS first_ord, count(*) OVER (PARTITION BY n.fid) AS nm
        FROM ({need}) n JOIN E e ON e.budget_id = n.budget_id AND e.amt = n.target AND e.cunit = n.unit
        WHERE n.target <> 0 AND e.kind IN ('amount', 'total') AND e.v IS NOT NULL
          AND NOT list_contains(n.used, e.ord) {measure_filter}
        GROUP BY n.fid, n.budget_id, e.measure
        QUALIFY row_number() OVER (PARTITION BY n.fid ORDER BY min(e.ord)) <= {limit}"""


# -- sums -------------------------------------------------------------------------------------

#: What a sum reads of each part.
PART_COLUMNS = ", ".join(f"p.{name} AS p_{name}" for name in ("amt", "as_", "lo", "hi", "is_", "v", "vs", "unit", "claim_id", "ord"))

def _sum_rows(parts: str) -> str:
    """Rows of audit._sum_row from ``parts``: budget_id, rule, exh (parts are exhaustive), tid (the
    total's order), pkey (part order) and the part's columns prefixed p_ (PART_COLUMNS). Yields
    ROW_COLUMNS + rule."""
    return f"""
    WITH g0 AS (
        SELECT budget_id, rule, exh, tid, CAST(sum(p_amt) AS BIGINT) AS computed, greatest(0, max(p_as_)) AS cs,
               CAST(sum(p_lo) AS BIGINT) AS clo, CAST(sum(p_hi) AS BIGINT) AS chi, greatest(0, max(p_is_)) AS cis,
               list_sort(list({{'key': pkey, 'text': fmt(p_v, p_vs), 'utext': fmt(p_v, p_vs) || coalesce(p_unit, ''),
                               'id': p_claim_id}})) AS ordered,
               list(p_ord) AS used, count(DISTINCT coalesce(p_unit, '')) AS nunits, min(coalesce(p_unit, '')) AS punit,
               -- the decimals of the sum: the most of the parts printed in the total's unit, else the total's
               coalesce(max(p_vs) FILTER (WHERE NOT udiff(p_unit, t_unit)), any_value(t_vs)) AS pd
        FROM (SELECT k.*, t.unit AS t_unit, t.vs AS t_vs FROM ({parts}) k JOIN E t ON t.key = claim_key(k.budget_id, k.tid))
        GROUP BY budget_id, rule, exh, tid
    ), g AS (  -- parts in their order: sorting each short list beats an ordered aggregate
        SELECT * EXCLUDE (ordered), array_to_string(list_transform(ordered, lambda e: e.text), ' + ') AS plisting,
               array_to_string(list_transform(ordered, lambda e: e.utext), ' + ') AS ulisting,
               array_to_string(list_transform(ordered, lambda e: e.id), ' ') AS inputs
        FROM g0
    ), r AS (
        SELECT row_number() OVER () AS fid, t.budget_id, g.rule, g.exh,
               CASE WHEN g.exh THEN verdict(t.lo, t.hi, t.amt, t.lp, g.clo, g.chi)
                    WHEN g.clo <= t.hi THEN 'consistent'
                    ELSE verdict(t.lo, t.hi, t.amt, t.lp, g.clo, g.clo) END AS verdict,
               t.amt AS stated, t.as_ AS stated_scale, itext(t.lo, t.hi, t.is_) AS stated_interval,
               g.computed, g.cs, itext(g.clo, g.chi, g.cis) AS computed_interval, t.cunit AS unit,
               g.inputs, g.used, t.ord, t.cunit,
               -- figures as printed, the sum in the total's unit at the parts' decimals; units named when mixed
               CASE WHEN g.nunits > 1 OR udiff(g.punit, t.unit) THEN g.ulisting ELSE g.plisting END AS listing,
               inunit(g.computed, t.unit, g.pd) || usuffix(g.nunits > 1 OR udiff(g.punit, t.unit), t.unit) AS added,
               fmt(t.v, t.vs) || usuffix(g.nunits > 1 OR udiff(g.punit, t.unit), t.unit) AS stated_text
        FROM g JOIN E t ON t.key = claim_key(g.budget_id, g.tid)
    ), n AS ({difference_note("SELECT fid, budget_id, abs(stated - computed) AS target, cunit AS unit, list_prepend(ord, used) AS used FROM r WHERE verdict <> 'consistent' AND exh")})
    SELECT r.budget_id, r.verdict, r.stated, r.stated_scale,
           r.stated_interval, r.computed, r.cs AS computed_scale, r.computed_interval, r.unit,
           CASE WHEN r.exh AND r.verdict = 'consistent'
                THEN r.listing || ' = ' || r.added || ', within rounding of the stated ' || r.stated_text || '.'
                WHEN r.exh
                THEN 'The parts add up to ' || r.listing || ' = ' || r.added || ', not the stated '
                     || r.stated_text || '.' || coalesce(n.note, '')
                WHEN r.verdict = 'consistent'
                THEN 'The listed parts ' || r.listing || ' = ' || r.added || ' do not exceed the total.'
                ELSE 'The listed parts ' || r.listing || ' = ' || r.added || ' exceed the stated total '
                     || r.stated_text || '.' END AS explanation,
           r.inputs, r.ord, 0 AS seq, r.rule
    FROM r LEFT JOIN n ON n.fid = r.fid"""


def sums_sql(rules: list[Rule]) -> str:
    """Every sum rule with a total and parts, in one query: the rules are a table joined in."""
    widths = LEVEL_WIDTHS
    params = " UNION ALL ".join(
        f"SELECT {lit(r.id)} AS rule, {mlit(r.params['total'])} AS total, {lit(bool(r.params.get('exhaustive', True)))} AS exh, "
        f"CAST({lit(widths.get(r.params.get('level')))} AS INTEGER) AS width" for r in rules)
    # parts in their order (pi), each part's substitutes after it, asked for only when it is not stated
    measures = " UNION ALL ".join(
        [f"SELECT {lit(r.id)} AS rule, {i * 1000} AS pi, {mlit(m)} AS pm, CAST(NULL AS measure_name) AS sub_of"
         for r in rules for i, m in enumerate(r.params["parts"])]
        + [f"SELECT {lit(r.id)}, {i * 1000 + j + 1}, {mlit(s)}, {mlit(m)}"
           for r in rules for i, m in enumerate(r.params["parts"])
           for j, s in enumerate(r.params.get("substitutes", {}).get(m, ()))])
    unstated = """(m.sub_of IS NULL OR NOT EXISTS (SELECT 1 FROM S u WHERE u.budget_id = t.budget_id
        AND u.measure = m.sub_of AND u.year = t.year AND {code}))"""
    totals = f"""SELECT e.budget_id, q.rule, q.exh, q.width, e.ord AS tid, e.year, e.sid, e.top FROM E e
        JOIN ({params}) q ON e.measure = q.total WHERE e.kind IN ('total', 'amount', 'count') AND e.v IS NOT NULL
        AND e.qual IS DISTINCT FROM 'parts-unread'"""
    requests = f"""
        SELECT t.budget_id, t.rule, t.exh, t.tid, m.pi, CAST(NULL AS VARCHAR) AS p_code, m.pm AS p_measure,
               t.year AS p_year, t.sid AS p_sid, t.top AS p_top
        FROM ({totals}) t JOIN ({measures}) m ON m.rule = t.rule
        WHERE t.width IS NULL AND {unstated.format(code="u.code IS NULL")}
        UNION ALL
        SELECT DISTINCT t.budget_id, t.rule, t.exh, t.tid, m.pi, s.code, m.pm, t.year, t.sid, t.top
        FROM ({totals}) t JOIN ({measures}) m ON m.rule = t.rule
        JOIN S s ON s.budget_id = t.budget_id AND s.measure = m.pm AND s.year = t.year AND length(s.code) = t.width
        WHERE t.width IS NOT NULL AND {unstated.format(code="length(u.code) = t.width")}"""
    parts = f"""
    SELECT k.budget_id, k.rule, k.exh, k.tid, {{'pi': k.pi, 'code': k.p_code}} AS pkey, {PART_COLUMNS}
    FROM ({pick(requests)}) k JOIN E p ON p.key = claim_key(k.budget_id, k.pid)"""
    return _sum_rows(parts)


def rollup_sql(rule: Rule) -> str:
    measure = mlit(rule.params["measure"])
    codes = (f"SELECT DISTINCT budget_id, year, code FROM E WHERE measure = {measure} "
             "AND kind IN ('amount', 'total') AND code IS NOT NULL AND v IS NOT NULL")
    pairs = f"""
    SELECT c.budget_id, c.year, c.code AS parent, d.code AS child FROM ({codes}) c
    JOIN ({codes}) d ON d.budget_id = c.budget_id AND d.year = c.year AND d.code <> c.code AND starts_with(d.code, c.code)
    WHERE NOT EXISTS (SELECT 1 FROM ({codes}) a WHERE a.budget_id = c.budget_id AND a.year = c.year
        AND a.code <> d.code AND a.code <> c.code AND starts_with(a.code, c.code) AND starts_with(d.code, a.code))"""
    total_requests = f"""SELECT DISTINCT budget_id, year, parent, {measure} AS p_measure, year AS p_year,
        parent AS p_code, CAST(NULL AS INTEGER) AS p_sid, CAST(NULL AS INTEGER) AS p_top FROM ({pairs})"""
    totals = f"SELECT k.budget_id, k.year, k.parent, k.pid AS tid, t.sid, t.top FROM ({pick(total_requests)}) k JOIN E t ON t.key = claim_key(k.budget_id, k.pid)"
    part_requests = f"""SELECT p.budget_id, t.tid, p.child, {measure} AS p_measure, p.year AS p_year, p.child AS p_code,
        t.sid AS p_sid, t.top AS p_top FROM ({pairs}) p JOIN ({totals}) t ON t.budget_id = p.budget_id AND t.year = p.year AND t.parent = p.parent"""
    parts = f"""
    SELECT k.budget_id, {lit(rule.id)} AS rule, TRUE AS exh, k.tid, {{'pi': 0, 'code': k.child}} AS pkey, {PART_COLUMNS}
    FROM ({pick(part_requests)}) k JOIN E p ON p.key = claim_key(k.budget_id, k.pid)"""
    return _sum_rows(parts)


# -- shares -----------------------------------------------------------------------------------

SHARE_PARTS = """
CREATE OR REPLACE TEMP TABLE SHP AS
WITH sh AS (SELECT budget_id, ord, ref, base FROM E WHERE kind = 'share' AND v IS NOT NULL),
part_pick AS ({part_pick}),
whole_pick AS ({whole_pick})
SELECT sh.budget_id, sh.ord AS share_id,
       CASE WHEN sh.ref IS NOT NULL THEN pr.ord ELSE pp.pid END AS part_id,
       CASE WHEN sh.base IS NOT NULL THEN wr.ord ELSE wp.pid END AS whole_id
FROM sh
LEFT JOIN E pr ON sh.ref IS NOT NULL AND pr.budget_id = sh.budget_id AND pr.claim_id = sh.ref
LEFT JOIN E wr ON sh.base IS NOT NULL AND wr.budget_id = sh.budget_id AND wr.claim_id = sh.base
LEFT JOIN part_pick pp ON pp.budget_id = sh.budget_id AND pp.share_id = sh.ord
LEFT JOIN whole_pick wp ON wp.budget_id = sh.budget_id AND wp.share_id = sh.ord
"""


#: How many shares and changes name no claim for their part, whole or current figure: the picks
#: for none are not run (a pick joins every statement of the collection, even for no request).
UNNAMED = """SELECT count(*) FILTER (kind = 'share' AND v IS NOT NULL AND ref IS NULL) AS share_parts,
    count(*) FILTER (kind = 'share' AND v IS NOT NULL AND base IS NULL) AS share_wholes,
    count(*) FILTER (kind = 'change' AND ref IS NULL) AS change_currents FROM E"""

#: A pick that found nothing, for when nothing was asked.
NO_PICK = "SELECT CAST(NULL AS BIGINT) AS budget_id, CAST(NULL AS BIGINT) AS {id}, CAST(NULL AS BIGINT) AS pid WHERE FALSE"


def share_parts_sql(parts: bool = True, wholes: bool = True) -> str:
    """SHP: the part and whole of every share; ``parts``/``wholes``: whether any must be picked."""
    part_requests = ("SELECT budget_id, ord AS share_id, measure AS p_measure, year AS p_year, code AS p_code, "
                     "sid AS p_sid, top AS p_top FROM E WHERE kind = 'share' AND v IS NOT NULL AND ref IS NULL")
    whole_requests = ("SELECT budget_id, ord AS share_id, base_measure AS p_measure, year AS p_year, "
                      "CAST(NULL AS VARCHAR) AS p_code, sid AS p_sid, top AS p_top FROM E "
                      "WHERE kind = 'share' AND v IS NOT NULL AND base IS NULL")
    none = NO_PICK.format(id="share_id")
    return SHARE_PARTS.format(part_pick=pick(part_requests) if parts else none,
                              whole_pick=pick(whole_requests) if wholes else none)


def _division(source: str, scaled: str, numerators: str, point: str, lo: str, hi: str, whole: str) -> str:
    """Two CTEs for ``point`` (within [``lo``, ``hi``]) ÷ ``whole`` × 100 at ``k`` decimals, as shares and
    percentage changes need: ``scaled`` adds pk (100·10ᵏ), sc (back to the fixed point) and the
    divisors d_lo/d_hi that give the lowest and highest quotient for the numerator's sign;
    ``numerators`` adds n_pt, n_lo, n_hi, the numerators scaled to k decimals as HUGEINT."""
    return f"""{scaled} AS (
        SELECT *, p10(k) * 100 AS pk, p10({SCALE} - k) AS sc,
               CASE WHEN {lo} >= 0 THEN {whole}_hi ELSE {whole}_lo END AS d_lo,
               CASE WHEN {hi} >= 0 THEN {whole}_lo ELSE {whole}_hi END AS d_hi
        FROM {source}
    ), {numerators} AS (
        SELECT *, CAST({point} AS HUGEINT) * pk AS n_pt, CAST({lo} AS HUGEINT) * pk AS n_lo,
               CAST({hi} AS HUGEINT) * pk AS n_hi FROM {scaled}
    )"""


def share_sql(rule: Rule) -> str:
    g = SHARE_GUARD_DIGITS
    return f"""
    WITH x AS (
        SELECT row_number() OVER () AS fid, {claim_cols('s', 's_')}, s.budget_id, s.base AS s_base, s.base_measure AS s_base_measure,
               {claim_cols('p', 'p_')}, {claim_cols('w', 'w_')}, coalesce(s.d, 0) + {g} AS k
        FROM SHP h JOIN E s ON s.key = claim_key(h.budget_id, h.share_id)
        JOIN E p ON p.key = claim_key(h.budget_id, h.part_id)
        JOIN E w ON w.key = claim_key(h.budget_id, h.whole_id)
    ), {_division("x", "y0", "y1", "p_amt", "p_lo", "p_hi", "w")}, y2 AS (  -- part ÷ whole × 100 at k decimals
        SELECT *, CASE WHEN w_lo > 0 THEN qfloor(n_pt, w_amt) END AS q_pt,
               CASE WHEN w_lo > 0 THEN CAST(qfloor(n_lo, d_lo) * sc AS BIGINT) END AS rlo,
               CASE WHEN w_lo > 0 THEN CAST(qceil(n_hi, d_hi) * sc AS BIGINT) END AS rhi
        FROM y1
    ), y AS (
        SELECT *, CASE WHEN w_lo > 0 THEN CAST(qeven(n_pt, w_amt, q_pt) * sc AS BIGINT) END AS point FROM y2
    ), z AS (
        SELECT *, CASE WHEN w_lo <= 0 THEN 'semantic' ELSE verdict(s_lo, s_hi, s_v, s_lp, rlo, rhi) END AS v0 FROM y
    ), siblings AS (  -- the sum of the parts listed with the share, when every one is found
        SELECT z.fid, count(*) AS n, count(h.part_id) AS found, CAST(sum(p.amt) AS BIGINT) AS amt,
               coalesce(max(p.vs) FILTER (WHERE NOT udiff(p.unit, z.w_unit)), any_value(z.w_vs)) AS pd,
               CAST(sum(p.lo) AS BIGINT) AS lo, CAST(sum(p.hi) AS BIGINT) AS hi, any_value(z.w_unit) AS w_unit,
               bool_or(udiff(p.unit, z.w_unit)) AS mixed
        FROM z JOIN E s2 ON s2.budget_id = z.budget_id AND s2.kind = 'share' AND s2.v IS NOT NULL
             AND s2.sid = z.s_sid AND coalesce(s2.base, s2.base_measure) = coalesce(z.s_base, z.s_base_measure)
        JOIN SHP h ON h.budget_id = s2.budget_id AND h.share_id = s2.ord
        LEFT JOIN E p ON p.key = claim_key(h.budget_id, h.part_id)
        WHERE z.v0 NOT IN ('consistent', 'semantic') OR (z.v0 = 'semantic' AND z.w_lo > 0)
        GROUP BY z.fid
    ), candidates AS (
        SELECT fid, -1 AS cord, inunit(amt, w_unit, pd) || usuffix(mixed, w_unit) || ', the sum of the parts listed with it' AS descr, lo, hi
        FROM siblings WHERE n > 1 AND found = n
        UNION ALL
        SELECT m.fid, m.cord, {describe('c', 't')}, m.lo, m.hi
        FROM (  -- the first total stating each other amount
            SELECT z.fid, z.budget_id, min(c.ord) AS cord, arg_min(c.lo, c.ord) AS lo, arg_min(c.hi, c.ord) AS hi
            FROM z JOIN E c ON c.budget_id = z.budget_id AND c.kind = 'total' AND c.year = z.s_year AND c.cunit = z.w_cunit
                 AND c.v IS NOT NULL AND c.amt <> z.w_amt AND c.claim_id <> z.p_claim_id
            WHERE z.v0 NOT IN ('consistent', 'semantic') OR (z.v0 = 'semantic' AND z.w_lo > 0)
            GROUP BY z.fid, z.budget_id, c.amt
        ) m JOIN E c ON c.key = claim_key(m.budget_id, m.cord) {text_of('t', 'm.budget_id', 'm.cord')}
    ), fit0 AS (
        SELECT c.fid, c.cord, c.descr, z.s_lo, z.s_hi, z.sc, z.n_lo, z.n_hi,
               CASE WHEN z.p_lo >= 0 THEN c.hi ELSE c.lo END AS d_lo, CASE WHEN z.p_hi >= 0 THEN c.lo ELSE c.hi END AS d_hi
        FROM candidates c JOIN z ON z.fid = c.fid WHERE c.lo > 0
    ), fits AS (
        SELECT fid, string_agg(descr, '; ' ORDER BY cord) AS fits FROM fit0
        WHERE s_lo <= CAST(qceil(n_hi, d_hi) * sc AS BIGINT) AND CAST(qfloor(n_lo, d_lo) * sc AS BIGINT) <= s_hi
        GROUP BY fid
    )
    SELECT z.budget_id,
           CASE WHEN z.w_lo > 0 AND z.v0 <> 'consistent' AND f.fits IS NOT NULL THEN 'semantic' ELSE z.v0 END AS verdict,
           z.s_v, z.s_vs, itext(z.s_lo, z.s_hi, z.s_is_),
           z.point, z.k, CASE WHEN z.w_lo > 0 THEN itext(z.rlo, z.rhi, z.k) ELSE '' END, '%',
           CASE WHEN z.w_lo <= 0
                THEN 'The whole ' || {describe('z', 'wt', 'w_')} || ' is zero: no share of it can be stated.'
                ELSE fmt(z.p_v, z.p_vs) || usuffix(udiff(z.p_unit, z.w_unit), z.p_unit) || ' ÷ ' || fmt(z.w_v, z.w_vs)
                     || usuffix(udiff(z.p_unit, z.w_unit), z.w_unit) || ' (' || wt.label || ', ' || wt.section
                     || ') = ' || fmt(z.point, z.k) || '%.'
                     || CASE WHEN z.v0 = 'consistent' THEN ''
                             WHEN f.fits IS NOT NULL THEN ' The stated share does not fit the whole the sentence names, but fits ' || f.fits || '.'
                             ELSE ' The stated share is ' || fmt(z.s_v, z.s_vs) || '%.' END END,
           z.p_claim_id || ' ' || z.w_claim_id, z.s_ord, 0
    FROM z {text_of('wt', 'z.budget_id', 'z.w_ord')} LEFT JOIN fits f ON f.fid = z.fid"""


# -- changes ----------------------------------------------------------------------------------

CHANGE_PARTS = """
CREATE OR REPLACE TEMP TABLE CHP AS
WITH ch AS (SELECT budget_id, ord, ref, base FROM E WHERE kind = 'change'),
cur_pick AS ({cur_pick})
SELECT ch.budget_id, ch.ord AS change_id,
       CASE WHEN ch.ref IS NOT NULL THEN cr.ord ELSE cp.pid END AS cur_id, pr.ord AS prior_id
FROM ch
LEFT JOIN E cr ON ch.ref IS NOT NULL AND cr.budget_id = ch.budget_id AND cr.claim_id = ch.ref
LEFT JOIN E pr ON ch.base IS NOT NULL AND pr.budget_id = ch.budget_id AND pr.claim_id = ch.base
LEFT JOIN cur_pick cp ON cp.budget_id = ch.budget_id AND cp.change_id = ch.ord
"""


def change_parts_sql(currents: bool = True) -> str:
    """CHP: the current and prior figure of every change; ``currents``: whether any must be picked."""
    requests = ("SELECT budget_id, ord AS change_id, measure AS p_measure, year AS p_year, code AS p_code, "
                "sid AS p_sid, top AS p_top FROM E WHERE kind = 'change' AND ref IS NULL")
    return CHANGE_PARTS.format(cur_pick=pick(requests) if currents else NO_PICK.format(id="change_id"))


def _change_join(where: str = "TRUE") -> str:
    return f"""
        SELECT row_number() OVER () AS fid, c.budget_id, {claim_cols('c', 'c_')}, c.base_year AS c_base_year,
               c.base AS c_base, {claim_cols('u', 'u_')}, {claim_cols('p', 'q_')}
        FROM CHP h JOIN E c ON c.key = claim_key(h.budget_id, h.change_id)
        JOIN E u ON u.key = claim_key(h.budget_id, h.cur_id)
        LEFT JOIN E p ON p.key = claim_key(h.budget_id, h.prior_id)
        WHERE {where}"""


#: audit._prior_implied_by on a change (columns ``{c}``…) and its base claim (``{q}``…).
IMPLIES_PRIOR = "({c}unit = '%' AND {q}kind = 'change' AND {q}cunit = '万元')"


def change_sql(rule: Rule) -> str:
    if rule.params["basis"] == "implied-prior":
        return implied_prior_sql(rule)
    g = SHARE_GUARD_DIGITS
    # money as printed; what is computed from it in the unit of the money change (or of the change
    # itself), at the decimals of its inputs (pd); every unit named when they differ (mx)
    implication = ("fmt(z.u_v, z.u_vs) || usuffix(z.mx, z.u_unit) "
                   "|| CASE WHEN z.q_direction = 'decrease' THEN ' + ' ELSE ' − ' END "
                   "|| fmt(z.q_v, z.q_vs) || usuffix(z.mx, z.q_unit) || ' = ' || inunit(z.q_amt, z.q_unit, z.pd) "
                   "|| usuffix(z.mx, z.q_unit)")
    return f"""
    WITH x0 AS ({_change_join(f"c.v IS NOT NULL AND h.prior_id IS NOT NULL AND NOT coalesce({IMPLIES_PRIOR.format(c='c.', q='p.')} AND (p.v IS NULL OR u.v IS NULL), FALSE)")}),
    x AS (  -- a percentage after a money change: its prior year is this year minus that change (audit._prior_implied_by)
        SELECT * REPLACE (
                   CASE WHEN imp THEN u_amt - CASE WHEN q_direction = 'decrease' THEN -q_amt ELSE q_amt END ELSE q_amt END AS q_amt,
                   CASE WHEN imp THEN u_lo - q_shi ELSE q_lo END AS q_lo, CASE WHEN imp THEN u_hi - q_slo ELSE q_hi END AS q_hi,
                   CASE WHEN imp THEN greatest(u_as_, q_as_) ELSE q_as_ END AS q_as_,
                   CASE WHEN imp THEN greatest(u_is_, q_is_) ELSE q_is_ END AS q_is_),
               q_amt AS g_amt, q_as_ AS g_as_  -- the money change itself
        FROM (SELECT *, coalesce({IMPLIES_PRIOR.format(c='c_', q='q_')}, FALSE) AS imp FROM x0)
    ), y0 AS (  -- the change: this year minus the prior; in percent, divided by the prior at k decimals
        SELECT *, c_unit = '%' AS pct, c_unit = '%' AND q_lo > 0 AS ok, coalesce(c_d, 0) + {g} AS k,
               -- the stated change in the comparison unit (money in 万元), as audit._stated_prior_row
               CASE WHEN c_cunit = '万元' THEN c_sa ELSE c_sv END AS st,
               CASE WHEN c_cunit = '万元' THEN c_as_ ELSE c_vs END AS sts,
               u_amt - q_amt AS a_pt, u_lo - q_hi AS a_lo, u_hi - q_lo AS a_hi
        FROM x
    ), {_division("y0", "y1", "y2", "a_pt", "a_lo", "a_hi", "q")}, y3 AS (
        SELECT *, CASE WHEN ok THEN qfloor(n_pt, q_amt) END AS q_pt FROM y2
    ), y AS (
        SELECT *, CASE WHEN ok THEN CAST(qeven(n_pt, q_amt, q_pt) * sc AS BIGINT) WHEN NOT pct THEN a_pt END AS point,
               CASE WHEN pct THEN k ELSE greatest(u_as_, q_as_) END AS ps,
               CASE WHEN ok THEN CAST(qfloor(n_lo, d_lo) * sc AS BIGINT) WHEN NOT pct THEN a_lo END AS clo,
               CASE WHEN ok THEN CAST(qceil(n_hi, d_hi) * sc AS BIGINT) WHEN NOT pct THEN a_hi END AS chi,
               CASE WHEN pct THEN k ELSE greatest(u_is_, q_is_) END AS cis
        FROM y3
    ), z0 AS (
        SELECT *, CASE WHEN pct AND q_lo <= 0 THEN 'semantic' ELSE verdict(c_slo, c_shi, st, c_lp, clo, chi) END AS v1
        FROM y
    ), z1 AS (  -- a percentage that fits the change divided by this year's figure instead (audit.CURRENT_YEAR_BASE)
        SELECT *, coalesce(CASE WHEN v1 <> 'consistent' AND pct AND q_lo > 0 AND u_lo > 0  -- divisions guarded
               THEN CAST(qeven(n_pt, u_amt, qfloor(n_pt, u_amt)) * sc AS BIGINT) BETWEEN c_slo AND c_shi
               ELSE FALSE END, FALSE) AS on_cur
        FROM z0
    ), z AS (
        SELECT *, CASE WHEN on_cur THEN 'semantic' ELSE v1 END AS v0,
               dpick(u_unit, u_vs, q_unit, q_vs, CASE WHEN imp THEN q_unit ELSE c_unit END,
                     CASE WHEN imp THEN q_vs ELSE c_vs END) AS pd,
               CASE WHEN imp OR pct THEN udiff(u_unit, q_unit)
                    ELSE udiff(u_unit, q_unit) OR udiff(u_unit, c_unit) OR udiff(q_unit, c_unit) END AS mx
        FROM z1
    ), n AS ({difference_note("SELECT fid, budget_id, abs(st - point) AS target, c_cunit AS unit, [c_ord, u_ord, q_ord] AS used FROM z WHERE v0 <> 'consistent' AND NOT pct")})
    SELECT z.budget_id, z.v0,
           CASE WHEN z.pct AND z.q_lo <= 0 THEN z.c_v ELSE z.st END, CASE WHEN z.pct AND z.q_lo <= 0 THEN z.c_vs ELSE z.sts END,
           itext(z.c_slo, z.c_shi, z.c_is_),
           z.point, z.ps, CASE WHEN z.point IS NULL THEN '' ELSE itext(z.clo, z.chi, z.cis) END, z.c_cunit,
           CASE WHEN z.imp AND z.q_lo <= 0
                THEN 'Growth from a zero base (' || {implication} || ', the prior year the change ' || z.q_claim_id
                     || ' implies) has no percentage.'
                WHEN z.pct AND z.q_lo <= 0
                THEN 'Growth from a zero base (' || {describe('z', 'qt', 'q_')} || ') has no percentage.'
                WHEN z.imp
                THEN {implication} || ' (the prior year the change ' || z.q_claim_id || ' implies); '
                     || inunit(z.a_pt, z.q_unit, z.pd) || usuffix(z.mx, z.q_unit) || ' ÷ '
                     || inunit(z.q_amt, z.q_unit, z.pd) || usuffix(z.mx, z.q_unit) || ' = ' || fmt(z.point, z.ps)
                     || '%; the text states ' || dirword(z.c_direction) || ' ' || fmt(z.c_v, z.c_vs) || '.'
                     || CASE WHEN z.on_cur THEN {lit(CURRENT_YEAR_BASE)} ELSE '' END
                ELSE fmt(z.u_v, z.u_vs) || usuffix(z.mx, z.u_unit) || ' − ' || fmt(z.q_v, z.q_vs) || usuffix(z.mx, z.q_unit)
                     || ' = ' || CASE WHEN z.pct THEN fmt(z.point, z.ps) || '%'
                                      ELSE inunit(z.point, z.c_unit, z.pd) || usuffix(z.mx, z.c_unit) END
                     || '; the text states ' || dirword(z.c_direction) || ' '
                     || fmt(z.c_v, z.c_vs) || usuffix(z.mx AND NOT z.pct, z.c_unit) || '.' || coalesce(n.note, '')
                     || CASE WHEN z.on_cur THEN {lit(CURRENT_YEAR_BASE)} ELSE '' END END,
           z.u_claim_id || ' ' || z.q_claim_id, z.c_ord, 0
    FROM z {text_of('qt', 'z.budget_id', 'z.q_ord')} LEFT JOIN n ON n.fid = z.fid"""


def implied_prior_sql(rule: Rule) -> str:
    return f"""
    WITH x AS ({_change_join("c.v IS NOT NULL AND c.unit <> '%' AND c.base_year IS NOT NULL AND u.v IS NOT NULL AND u.kind <> 'item' AND c.direction IS DISTINCT FROM 'unspecified'")}),
    imp AS (  -- each statement of a prior year implied by a change
        SELECT *, u_lo - c_shi AS ilo, u_hi - c_slo AS ihi, greatest(u_is_, c_is_) AS iis,
               u_amt - CASE WHEN c_direction = 'decrease' THEN -c_amt ELSE c_amt END AS ival, greatest(u_as_, c_as_) AS ivs
        FROM x
    ), others AS (
        -- the other statement: printed (grp 0, with its figures) or implied by an earlier change (grp 1)
        SELECT imp.*, o.lo AS olo, o.hi AS ohi, o.is_ AS ois, o.amt AS oval, o.as_ AS ovs, o.lp AS olp, o.claim_id AS o_claim_id,
               o.v AS o_v, o.vs AS o_vs, o.unit AS o_unit, 0 AS grp, o.ord AS oord
        FROM imp JOIN S o ON o.budget_id = imp.budget_id AND o.measure = imp.c_measure AND o.year = imp.c_base_year
             AND o.code IS NOT DISTINCT FROM imp.c_code AND o.claim_id IS DISTINCT FROM imp.c_base
        UNION ALL
        SELECT imp.*, e.ilo, e.ihi, e.iis, e.ival, e.ivs, e.c_lp, e.c_claim_id, NULL, NULL, NULL, 1, e.c_ord
        FROM imp JOIN imp e ON e.budget_id = imp.budget_id AND e.c_measure = imp.c_measure
             AND e.c_code IS NOT DISTINCT FROM imp.c_code AND e.c_base_year = imp.c_base_year AND e.c_ord < imp.c_ord
    )
    SELECT os.budget_id, verdict(olo, ohi, oval, olp, ilo, ihi),
           oval, ovs, itext(olo, ohi, ois), ival, ivs, itext(ilo, ihi, iis), c_cunit,
           -- the prior year in the change's unit; every unit named when the figures' differ
           fmt(u_v, u_vs) || usuffix(mx, u_unit) || ' − (' || dirword(c_direction) || ' ' || fmt(c_v, c_vs)
           || usuffix(mx, c_unit) || ') implies ' || CAST(c_base_year AS VARCHAR) || ' = '
           || inunit(ival, c_unit, dpick(u_unit, u_vs, c_unit, c_vs, c_unit, c_vs)) || usuffix(mx, c_unit) || '; '
           || CASE WHEN grp = 0 THEN 'stated as ' || {describe('os', 'ot', 'o_')}
                   ELSE 'implied by ' || o_claim_id || ' (' || ot.section || ')' END || '.',
           u_claim_id || ' ' || o_claim_id, c_ord, grp * 1000000 + oord
    FROM (SELECT *, udiff(u_unit, c_unit) OR (grp = 0 AND udiff(o_unit, c_unit)) AS mx FROM others) os
    {text_of('ot', 'os.budget_id', 'os.oord')}"""


# -- restatements and bounds ------------------------------------------------------------------

def restatement_sql(rule: Rule) -> str:
    measures = rule.params.get("measures", [])
    if measures:  # one quantity under several measures: only statements of another measure than the first count
        group = ""
        where = f"AND measure IN ({', '.join(mlit(m) for m in measures)})"
        first = ", arg_min(measure, ord) AS fmeasure, count(DISTINCT measure) AS measures"
        alias = "AND f.measures >= 2 AND o.measure <> f.fmeasure"
    else:
        group, where, first, alias = "measure, ", "", "", ""
    return f"""
    WITH groups AS (  -- each quantity stated more than once: its statements and the first of them
        SELECT budget_id, min(ord) AS first_ord, list(ord) AS ords {first}
        FROM E WHERE kind IN ('amount', 'total', 'count') AND v IS NOT NULL {where}
        GROUP BY budget_id, {group}code, year, cunit HAVING count(*) >= 2
    ), f AS (
        SELECT * EXCLUDE (ords), unnest(ords) AS ord FROM groups
    ), r AS (
        SELECT row_number() OVER () AS fid, o.budget_id, {claim_cols('o', 'o_')}, {claim_cols('t', 't_')},
               verdict(o.lo, o.hi, o.amt, o.lp, t.lo, t.hi) AS verdict
        FROM f JOIN E o ON o.key = claim_key(f.budget_id, f.ord) JOIN E t ON t.key = claim_key(f.budget_id, f.first_ord)
        WHERE f.ord <> f.first_ord {alias}
    ), n AS ({difference_note("SELECT fid, budget_id, abs(o_amt - t_amt) AS target, t_cunit AS unit, [t_ord, o_ord] AS used FROM r WHERE verdict <> 'consistent'")})
    SELECT r.budget_id, r.verdict, r.o_amt, r.o_as_,
           itext(r.o_lo, r.o_hi, r.o_is_), r.t_amt, r.t_as_, itext(r.t_lo, r.t_hi, r.t_is_), r.o_cunit,
           {describe('r', 'ot', 'o_')}
           || CASE WHEN r.verdict = 'consistent' THEN ' restates ' || {describe('r', 'tt', 't_')} || '.'
                   ELSE ' and ' || {describe('r', 'tt', 't_')} || ' state one quantity with different values.'
                        || coalesce(n.note, '') END,
           r.t_claim_id, r.o_ord, 0
    FROM r {text_of('ot', 'r.budget_id', 'r.o_ord')} {text_of('tt', 'r.budget_id', 'r.t_ord')}
    LEFT JOIN n ON n.fid = r.fid"""


def bounds_sql(rules: list[Rule]) -> str:
    """Every bound rule in one query."""
    params = " UNION ALL ".join(f"SELECT {lit(r.id)} AS rule, {mlit(r.params['part'])} AS part, "
                                f"{mlit(r.params['whole'])} AS whole" for r in rules)
    requests = (f"SELECT e.budget_id, q.rule, e.ord AS part_id, q.whole AS p_measure, e.year AS p_year, "
                "CAST(NULL AS VARCHAR) AS p_code, e.sid AS p_sid, e.top AS p_top "
                f"FROM E e JOIN ({params}) q ON e.measure = q.part WHERE e.kind IN ('amount', 'total') AND e.v IS NOT NULL")
    return f"""
    WITH r AS (
        SELECT row_number() OVER () AS fid, k.budget_id, k.rule, {claim_cols('p', 'p_')}, {claim_cols('w', 'w_')},
               p.lo <= w.hi AS within
        FROM ({pick(requests)}) k JOIN E p ON p.key = claim_key(k.budget_id, k.part_id)
        JOIN E w ON w.key = claim_key(k.budget_id, k.pid)
    ), n AS ({note("SELECT fid, budget_id, p_amt AS target, p_cunit AS unit, [p_ord] AS used, p_measure AS measure FROM r WHERE NOT within", 2, " It equals ", ": a larger quantity looks relabelled.", drop_measure=True)})
    SELECT r.budget_id, CASE WHEN within THEN 'consistent' ELSE 'semantic' END,
           r.p_amt, r.p_as_, itext(r.p_lo, r.p_hi, r.p_is_), r.w_amt, r.w_as_,
           '[0, ' || fmt(r.w_hi, r.w_is_) || ']', r.p_cunit,
           {describe('r', 'pt', 'p_')} || CASE WHEN within THEN ' does not exceed ' ELSE ' exceeds ' END
           || {describe('r', 'wt', 'w_')} || '.' || coalesce(n.note, ''),
           r.w_claim_id, r.p_ord, 0, r.rule
    FROM r {text_of('pt', 'r.budget_id', 'r.p_ord')} {text_of('wt', 'r.budget_id', 'r.w_ord')}
    LEFT JOIN n ON n.fid = r.fid"""


# -- text checks that need no scan of the text ------------------------------------------------

def comparison_year_sql(rule: Rule) -> str:
    return """
    SELECT budget_id, CASE WHEN base_year < year THEN 'consistent' ELSE 'text' END,
           NULL, 0, '', NULL, 0, '', '',
           CASE WHEN base_year < year THEN 'Compares ' || CAST(year AS VARCHAR) || ' with ' || CAST(base_year AS VARCHAR) || '.'
                ELSE 'A ' || CAST(year AS VARCHAR) || ' figure is compared with ' || CAST(base_year AS VARCHAR)
                     || ', not with an earlier year.' END,
           '', ord, 0
    FROM E WHERE kind = 'change' AND base_year IS NOT NULL"""


def change_direction_sql(rule: Rule) -> str:
    return f"""
    SELECT budget_id, 'text', v, vs, '', NULL, 0, '', cunit,
           'The direction of the change was left as the template''s 增长（下降）.', '', ord, 0
    FROM E WHERE kind = 'change' AND direction = 'unspecified'
    UNION ALL
    SELECT budget_id, CASE WHEN ok THEN 'consistent' ELSE 'text' END,
           c_sv, c_vs, '', u_amt - q_amt, greatest(u_as_, q_as_), itext(dlo, dhi, greatest(u_is_, q_is_)), c_cunit,
           'From ' || fmt(q_v, q_vs) || usuffix(udiff(q_unit, u_unit), q_unit) || ' to ' || fmt(u_v, u_vs)
           || usuffix(udiff(q_unit, u_unit), u_unit) || ' the figure ' || CASE WHEN ok THEN 'can' ELSE 'cannot' END
           || ' show ' || rtrim(dirword(c_direction), ' of,') || '.',
           u_claim_id || ' ' || q_claim_id, c_ord, 0
    FROM (
        SELECT *, CASE c_direction WHEN 'increase' THEN dhi > 0 WHEN 'decrease' THEN dlo < 0
                                   WHEN 'unchanged' THEN dlo <= 0 AND 0 <= dhi ELSE TRUE END AS ok
        FROM (SELECT *, u_lo - q_hi AS dlo, u_hi - q_lo AS dhi
              FROM ({_change_join("coalesce(c.direction, '') <> 'unspecified' AND h.prior_id IS NOT NULL AND c.unit <> '%'")}))
    )"""


#: One query per rule for these kinds (sums over the classification, shares, changes,
#: restatements); plain sums and bounds run as one query per kind (sums_sql, bounds_sql).
SQL_BUILDERS = {
    "sum": rollup_sql,
    "share": share_sql,
    "change": change_sql,
    "restatement": restatement_sql,
}
TEXT_SQL_BUILDERS = {
    "comparison-year": comparison_year_sql,
    "change-direction": change_direction_sql,
}
