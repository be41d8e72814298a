"""The audit rules as SQL over a long table of claims: one query per rule for a whole collection or a chunk of it.

Every rule kind of ``budgetkit.audit`` is restated here as set operations (joins, window
functions, aggregates) run by DuckDB, so a collection of 10 000 budgets is audited in one pass
per rule (per chunk of a few thousand whole budgets: ``engine.chunks``) rather than one
Python loop per budget. The findings are the same rows, verdicts, figures and explanations as
``budgetkit.audit.audit`` gives budget by budget (tests compare).

Exact money: DuckDB divides DECIMALs in floating point, so every quantity is carried as a
BIGINT count of 10⁻¹⁰ of its unit (``Q``; up to 9·10⁸ 万元, and fast, unlike HUGEINT). Sums,
differences and comparisons are exact integer arithmetic; shares and percentage changes are
HUGEINT divisions floored, ceiled or rounded half to even at the guard digits ``audit`` uses. Each figure also carries the scale it is printed with,
so explanations print 841.00 as 841.00, exactly as ``audit.rows.printed_decimal`` does.

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

from ..audit import DIFFERENCE_LABELS, Rule
from ..claims import COUNT_UNITS
from ..messages import sql_text
from ..numbers import MONEY_UNITS

__all__ = ["CHANGE_PARTS", "ENRICH", "PART_COLUMNS", "ROW_COLUMNS", "SCALE", "SHARE_PARTS", "UNNAMED",
           "change_parts_sql", "claim_cols", "describe", "difference_note", "lit", "macros", "measure_type_sql", "mlit", "note",
           "pick", "share_parts_sql", "text_of"]


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


assert all(MONEY_UNITS[unit] == Decimal(10) ** power for unit, power in MONEY_POWERS.items()), "a money factor is not a power of ten"  # not a message: an invariant


MONEY_UNIT_LIST = ", ".join(f"'{unit}'" for unit in MONEY_POWERS)


def by_money_unit(value, default: str = "ELSE 0") -> str:
    """``CASE unit WHEN '元' THEN … END``: ``value(power)`` for each money unit whose power is not 0."""
    whens = " ".join(f"WHEN '{unit}' THEN {value(power)}" for unit, power in MONEY_POWERS.items() if power)
    return f"CASE unit {whens} {default} END"


_MACROS = f"""
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
-- the exact value needs them (audit.rows.in_unit): shown to 10⁻{SHOW_SCALE} of the unit, trailing zeros cut to d
CREATE OR REPLACE MACRO showmul(unit) AS CAST({by_money_unit(lambda k: 10**(SHOW_SCALE - SCALE - k),
                                                               f"ELSE {10**(SHOW_SCALE - SCALE)}")} AS HUGEINT);
CREATE OR REPLACE MACRO showfrac(y) AS substr(CAST(abs(y) % {QS} + {QS} AS VARCHAR), 2);
CREATE OR REPLACE MACRO showfmt(y, s) AS
    (CASE WHEN y < 0 THEN '-' ELSE '' END) || CAST(abs(y) // {QS} AS VARCHAR)
    || CASE WHEN s > 0 THEN '.' || substr(showfrac(y), 1, s) ELSE '' END;
CREATE OR REPLACE MACRO showy(y, d) AS showfmt(y, greatest(d, length(rtrim(showfrac(y), '0'))));
CREATE OR REPLACE MACRO inunit(x, unit, d) AS showy(CAST(x AS HUGEINT) * showmul(unit), d);
-- a unit named only when the explanation mixes units (audit.rows.printed_figure)
CREATE OR REPLACE MACRO usuffix(mixed, unit) AS CASE WHEN mixed THEN coalesce(unit, '') ELSE '' END;
CREATE OR REPLACE MACRO udiff(a, b) AS coalesce(a, '') <> coalesce(b, '');
-- the decimals of a figure computed from two inputs in `unit` (audit.rows.decimals_in): the most of the
-- inputs printed in that unit, else those of the figure it is compared with
CREATE OR REPLACE MACRO dpick(u1, d1, u2, d2, unit, fallback) AS CASE
    WHEN NOT udiff(u1, unit) AND NOT udiff(u2, unit) THEN greatest(d1, d2) WHEN NOT udiff(u1, unit) THEN d1
    WHEN NOT udiff(u2, unit) THEN d2 ELSE fallback END;
CREATE OR REPLACE MACRO itext(lo, hi, s) AS '[' || fmt(lo, s) || ', ' || fmt(hi, s) || ']';
CREATE OR REPLACE MACRO verdict(slo, shi, sval, lp, clo, chi) AS
    CASE WHEN slo <= chi AND clo <= shi THEN 'consistent'
         WHEN greatest(sval - chi, clo - sval) <= lp THEN 'rounding' ELSE 'drift' END;
CREATE OR REPLACE MACRO describe_claim(label, v, vs, unit, section, claim_id) AS
    {{describe_claim}};
-- one integer naming a claim of the collection: joining two claims of a budget on (budget_id, ord)
-- lets DuckDB infer a join of all their budget's claims on budget_id alone, millions of rows
CREATE OR REPLACE MACRO claim_key(budget_id, ord) AS budget_id * 4294967296 + ord;
CREATE OR REPLACE MACRO dirword(direction) AS CASE direction
    {{direction_words}} ELSE {{direction_unknown}} END;
CREATE OR REPLACE MACRO movement(direction) AS CASE direction
    {{movement_words}} ELSE {{movement_unknown}} END;
"""


def macros() -> str:
    """The macros, their phrases (audit.changes.direction_word …) in the language of the messages now."""
    def words(kind: str, directions: tuple[str, ...]) -> str:
        return " ".join(f"WHEN '{d}' THEN {sql_text(f'audit.{kind}-{d}')}" for d in directions)

    return _MACROS.format(
        describe_claim=sql_text("audit.figure", label="label", value="fmt(v, vs)", unit="unit", section="section",
                                claim="claim_id"),
        direction_words=words("direction", ("increase", "decrease", "unchanged", "unspecified")),
        direction_unknown=sql_text("audit.direction-unknown"),
        movement_words=words("movement", ("increase", "decrease", "unchanged")),
        movement_unknown=sql_text("audit.movement-unknown"))


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
-- sections as integers: sid names the section, top the numbered section it belongs to (三（一） → 三;
-- every official table, 表5（第11页）, to one: 表), as claims.top_section says
CREATE OR REPLACE TEMP TABLE SECTIONS AS
SELECT section, CAST(row_number() OVER () AS INTEGER) AS sid,
       CAST(dense_rank() OVER (ORDER BY CASE WHEN regexp_matches(section, '^表[0-9]+（') THEN '表'
                                             ELSE split_part(section, '（', 1) END) AS INTEGER) AS top
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
    """claims.ClaimIndex.pick for many requests at once.

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
    """audit.rows.describe of a claim: its figures from ``claim`` (columns ``prefix``v …), its text
    from ``text`` (a row of T)."""
    c = f"{claim}.{prefix}"
    return f"describe_claim({text}.label, {c}v, {c}vs, {c}unit, {text}.section, {c}claim_id)"


def text_of(alias: str, budget: str, ord_: str) -> str:
    """A join of T for the claim ``budget``/``ord_``, as ``alias``."""
    return f"JOIN T {alias} ON {alias}.key = claim_key({budget}, {ord_})"


def note(need: str, limit: int, message: str, field: str, *, drop_measure: bool = False) -> str:
    """audit.rows.same_value for many rows, each figure named: ``need`` yields fid, budget_id, target,
    unit, used (orders of claims not to name) [and measure]; gives fid and the note text, the
    catalogue's ``message`` with the figures in its ``field``."""
    measure_filter = "AND e.measure <> n.measure" if drop_measure else ""
    figures = f"string_agg({describe('e', 't')}, {sql_text('audit.alternatives-separator')} ORDER BY m.first_ord)"
    return f"""
    SELECT m.fid, {sql_text(message, **{field: figures})} AS note
    FROM ({same_value(need, limit, measure_filter)}) m
    JOIN E e ON e.key = claim_key(m.budget_id, m.first_ord) {text_of('t', 'm.budget_id', 'm.first_ord')}
    GROUP BY m.fid"""


def difference_note(need: str) -> str:
    """audit.rows.difference_note for many rows (``need`` as for :func:`note`): the one figure the
    difference equals, or the labels of the several measures whose figures equal it."""
    labels = DIFFERENCE_LABELS
    separator = sql_text("audit.list-separator")
    several = (f"string_agg(coalesce(t.label, ''), {separator} ORDER BY m.first_ord) "
               f"|| CASE WHEN max(m.nm) > {labels} THEN {separator} || '…' ELSE '' END")
    return f"""
    SELECT m.fid, CASE WHEN max(m.nm) = 1
                       THEN {sql_text("audit.difference-equals", figure=f"string_agg({describe('e', 't')}, '')")}
                       ELSE {sql_text("audit.difference-several", labels=several)} END AS note
    FROM ({same_value(need, labels, "")}) m
    JOIN E e ON e.key = claim_key(m.budget_id, m.first_ord) {text_of('t', 'm.budget_id', 'm.first_ord')}
    GROUP BY m.fid"""


def same_value(need: str, limit: int, measure_filter: str) -> str:
    """The first claim (first_ord) of each measure stating each row's target, the first ``limit`` of
    them by order, and how many measures state it (nm)."""
    return f"""
        SELECT n.fid, n.budget_id, min(e.ord) AS first_ord, count(*) OVER (PARTITION BY n.fid) AS nm
        FROM ({need}) n JOIN E e ON e.budget_id = n.budget_id AND e.amt = n.target AND e.cunit = n.unit
        WHERE n.target <> 0 AND e.kind IN ('amount', 'total') AND e.v IS NOT NULL
          AND NOT list_contains(n.used, e.ord) {measure_filter}
        GROUP BY n.fid, n.budget_id, e.measure
        QUALIFY row_number() OVER (PARTITION BY n.fid ORDER BY min(e.ord)) <= {limit}"""


#: What a sum reads of each part.
PART_COLUMNS = ", ".join(f"p.{name} AS p_{name}" for name in ("amt", "as_", "lo", "hi", "is_", "v", "vs", "unit", "claim_id", "ord"))


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
