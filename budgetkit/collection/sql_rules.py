"""Each rule kind of the audit as one SQL query over the enriched claims of :mod:`.sql` (tables E, T,
S, SHP, CHP): the rows of its findings, with their explanations."""

from __future__ import annotations

from ..audit import SHARE_GUARD_DIGITS, Rule
from ..messages import sql_text
from ..template import LEVEL_WIDTHS
from .sql import PART_COLUMNS, SCALE, claim_cols, describe, difference_note, lit, mlit, note, pick, text_of

__all__ = ["SQL_BUILDERS", "TEXT_SQL_BUILDERS", "bounds_sql", "sums_sql"]


def _sum_rows(parts: str) -> str:
    """Rows of audit.sums._sum_row from ``parts``: budget_id, rule, exh (parts are exhaustive), tid (the
    total's order), pkey (part order) and the part's columns prefixed p_ (PART_COLUMNS). Yields
    ROW_COLUMNS + rule."""
    figures = {"listing": "r.listing", "added": "r.added", "stated": "r.stated_text"}
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
           CASE WHEN r.exh AND r.verdict = 'consistent' THEN {sql_text("audit.sum-consistent", **figures)}
                WHEN r.exh THEN {sql_text("audit.sum-drift", **figures)} || coalesce(n.note, '')
                WHEN r.verdict = 'consistent' THEN {sql_text("audit.sum-bound-consistent", **figures)}
                ELSE {sql_text("audit.sum-bound-exceeds", **figures)} END AS explanation,
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
               bool_or(udiff(p.unit, z.w_unit)) AS mixed, any_value(z.w_amt) AS w_amt
        FROM z JOIN E s2 ON s2.budget_id = z.budget_id AND s2.kind = 'share' AND s2.v IS NOT NULL
             AND s2.sid = z.s_sid AND coalesce(s2.base, s2.base_measure) = coalesce(z.s_base, z.s_base_measure)
        JOIN SHP h ON h.budget_id = s2.budget_id AND h.share_id = s2.ord
        LEFT JOIN E p ON p.key = claim_key(h.budget_id, h.part_id)
        WHERE z.v0 = 'drift'
        GROUP BY z.fid
    ), candidates AS (  -- a sum of the listed parts equal to the named whole is that whole, not another
        SELECT fid, -1 AS cord, {sql_text("audit.share-sum-of-parts", sum="inunit(amt, w_unit, pd) || usuffix(mixed, w_unit)")} AS descr, lo, hi
        FROM siblings WHERE n > 1 AND found = n AND amt <> w_amt
        UNION ALL
        SELECT m.fid, m.cord, {describe('c', 't')}, m.lo, m.hi
        FROM (  -- the first total stating each other amount
            SELECT z.fid, z.budget_id, min(c.ord) AS cord, arg_min(c.lo, c.ord) AS lo, arg_min(c.hi, c.ord) AS hi
            FROM z JOIN E c ON c.budget_id = z.budget_id AND c.kind = 'total' AND c.year = z.s_year AND c.cunit = z.w_cunit
                 AND c.v IS NOT NULL AND c.amt <> z.w_amt AND c.claim_id <> z.p_claim_id
            WHERE z.v0 = 'drift'
            GROUP BY z.fid, z.budget_id, c.amt
        ) m JOIN E c ON c.key = claim_key(m.budget_id, m.cord) {text_of('t', 'm.budget_id', 'm.cord')}
    ), fit0 AS (
        SELECT c.fid, c.cord, c.descr, z.s_lo, z.s_hi, z.sc, z.n_lo, z.n_hi,
               CASE WHEN z.p_lo >= 0 THEN c.hi ELSE c.lo END AS d_lo, CASE WHEN z.p_hi >= 0 THEN c.lo ELSE c.hi END AS d_hi
        FROM candidates c JOIN z ON z.fid = c.fid WHERE c.lo > 0
    ), fits AS (
        SELECT fid, string_agg(descr, {sql_text("audit.alternatives-separator")} ORDER BY cord) AS fits FROM fit0
        WHERE s_lo <= CAST(qceil(n_hi, d_hi) * sc AS BIGINT) AND CAST(qfloor(n_lo, d_lo) * sc AS BIGINT) <= s_hi
        GROUP BY fid
    )
    SELECT z.budget_id,
           CASE WHEN z.w_lo > 0 AND z.v0 = 'drift' AND f.fits IS NOT NULL THEN 'semantic' ELSE z.v0 END AS verdict,
           z.s_v, z.s_vs, itext(z.s_lo, z.s_hi, z.s_is_),
           z.point, z.k, CASE WHEN z.w_lo > 0 THEN itext(z.rlo, z.rhi, z.k) ELSE '' END, '%',
           CASE WHEN z.w_lo <= 0 THEN {sql_text("audit.share-zero-whole", whole=describe('z', 'wt', 'w_'))}
                ELSE {sql_text("audit.share-computed",
                               part="fmt(z.p_v, z.p_vs) || usuffix(udiff(z.p_unit, z.w_unit), z.p_unit)",
                               whole="fmt(z.w_v, z.w_vs) || usuffix(udiff(z.p_unit, z.w_unit), z.w_unit)",
                               whole_label="wt.label", whole_section="wt.section", point="fmt(z.point, z.k)")}
                     || CASE WHEN z.v0 = 'consistent' THEN ''
                             WHEN f.fits IS NOT NULL THEN {sql_text("audit.share-fits-other", fits="f.fits")}
                             ELSE {sql_text("audit.share-stated", share="fmt(z.s_v, z.s_vs)")} END END,
           z.p_claim_id || ' ' || z.w_claim_id, z.s_ord, 0
    FROM z {text_of('wt', 'z.budget_id', 'z.w_ord')} LEFT JOIN fits f ON f.fid = z.fid"""


def _change_join(where: str = "TRUE") -> str:
    return f"""
        SELECT row_number() OVER () AS fid, c.budget_id, {claim_cols('c', 'c_')}, c.base_year AS c_base_year,
               c.base AS c_base, {claim_cols('u', 'u_')}, {claim_cols('p', 'q_')}
        FROM CHP h JOIN E c ON c.key = claim_key(h.budget_id, h.change_id)
        JOIN E u ON u.key = claim_key(h.budget_id, h.cur_id)
        LEFT JOIN E p ON p.key = claim_key(h.budget_id, h.prior_id)
        WHERE {where}"""


#: audit.changes._prior_implied_by on a change (columns ``{c}``…) and its base claim (``{q}``…).
IMPLIES_PRIOR = "({c}unit = '%' AND {q}kind = 'change' AND {q}cunit = '万元')"


def change_sql(rule: Rule) -> str:
    if rule.params["basis"] == "implied-prior":
        return implied_prior_sql(rule)
    g = SHARE_GUARD_DIGITS
    # money as printed; what is computed from it in the unit of the money change (or of the change
    # itself), at the decimals of its inputs (pd); every unit named when they differ (mx)
    current_year_base = sql_text("audit.change-current-year-base")
    implication = ("fmt(z.u_v, z.u_vs) || usuffix(z.mx, z.u_unit) "
                   "|| CASE WHEN z.q_direction = 'decrease' THEN ' + ' ELSE ' − ' END "
                   "|| fmt(z.q_v, z.q_vs) || usuffix(z.mx, z.q_unit) || ' = ' || inunit(z.q_amt, z.q_unit, z.pd) "
                   "|| usuffix(z.mx, z.q_unit)")
    return f"""
    WITH x0 AS ({_change_join(f"c.v IS NOT NULL AND h.prior_id IS NOT NULL AND NOT coalesce({IMPLIES_PRIOR.format(c='c.', q='p.')} AND (p.v IS NULL OR u.v IS NULL), FALSE)")}),
    x AS (  -- a percentage after a money change: its prior year is this year minus that change (audit.changes._prior_implied_by)
        SELECT * REPLACE (
                   CASE WHEN imp THEN u_amt - CASE WHEN q_direction = 'decrease' THEN -q_amt ELSE q_amt END ELSE q_amt END AS q_amt,
                   CASE WHEN imp THEN u_lo - q_shi ELSE q_lo END AS q_lo, CASE WHEN imp THEN u_hi - q_slo ELSE q_hi END AS q_hi,
                   CASE WHEN imp THEN greatest(u_as_, q_as_) ELSE q_as_ END AS q_as_,
                   CASE WHEN imp THEN greatest(u_is_, q_is_) ELSE q_is_ END AS q_is_),
               q_amt AS g_amt, q_as_ AS g_as_  -- the money change itself
        FROM (SELECT *, coalesce({IMPLIES_PRIOR.format(c='c_', q='q_')}, FALSE) AS imp FROM x0)
    ), y0 AS (  -- the change: this year minus the prior; in percent, divided by the prior at k decimals
        SELECT *, c_unit = '%' AS pct, c_unit = '%' AND q_lo > 0 AS ok, coalesce(c_d, 0) + {g} AS k,
               -- the stated change in the comparison unit (money in 万元), as audit.changes._stated_prior_row
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
                THEN {sql_text("audit.change-zero-base",
                               zero=sql_text("audit.change-implied-zero", implication=implication, claim="z.q_claim_id"))}
                WHEN z.pct AND z.q_lo <= 0 THEN {sql_text("audit.change-zero-base", zero=describe('z', 'qt', 'q_'))}
                WHEN z.imp
                THEN {sql_text("audit.change-implied-percentage", implication=implication, claim="z.q_claim_id",
                               delta="inunit(z.a_pt, z.q_unit, z.pd) || usuffix(z.mx, z.q_unit)",
                               prior="inunit(z.q_amt, z.q_unit, z.pd) || usuffix(z.mx, z.q_unit)",
                               point="fmt(z.point, z.ps)", direction="dirword(z.c_direction)",
                               stated="fmt(z.c_v, z.c_vs)")}
                     || CASE WHEN z.on_cur THEN {current_year_base} ELSE '' END
                ELSE {sql_text("audit.change-computed",
                               current="fmt(z.u_v, z.u_vs) || usuffix(z.mx, z.u_unit)",
                               prior="fmt(z.q_v, z.q_vs) || usuffix(z.mx, z.q_unit)",
                               result="CASE WHEN z.pct THEN fmt(z.point, z.ps) || '%' "
                                      "ELSE inunit(z.point, z.c_unit, z.pd) || usuffix(z.mx, z.c_unit) END",
                               direction="dirword(z.c_direction)",
                               stated="fmt(z.c_v, z.c_vs) || usuffix(z.mx AND NOT z.pct, z.c_unit)")}
                     || coalesce(n.note, '') || CASE WHEN z.on_cur THEN {current_year_base} ELSE '' END END,
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
           {sql_text("audit.implied-prior", current="fmt(u_v, u_vs) || usuffix(mx, u_unit)",
                     direction="dirword(c_direction)", change="fmt(c_v, c_vs) || usuffix(mx, c_unit)",
                     year="CAST(c_base_year AS VARCHAR)",
                     prior="inunit(ival, c_unit, dpick(u_unit, u_vs, c_unit, c_vs, c_unit, c_vs)) || usuffix(mx, c_unit)",
                     how=f"CASE WHEN grp = 0 THEN {sql_text('audit.implied-prior-stated', figure=describe('os', 'ot', 'o_'))} "
                         f"ELSE {sql_text('audit.implied-prior-implied', claim='o_claim_id', section='ot.section')} END")},
           u_claim_id || ' ' || o_claim_id, c_ord, grp * 1000000 + oord
    FROM (SELECT *, udiff(u_unit, c_unit) OR (grp = 0 AND udiff(o_unit, c_unit)) AS mx FROM others) os
    {text_of('ot', 'os.budget_id', 'os.oord')}"""


def restatement_sql(rule: Rule) -> str:
    measures = rule.params.get("measures", [])
    if measures:  # one quantity under several measures: only statements of another measure than the first count
        group = ""
        where = f"AND measure IN ({', '.join(mlit(m) for m in measures)})"
        first = ", arg_min(measure, ord) AS fmeasure, count(DISTINCT measure) AS measures"
        alias = "AND f.measures >= 2 AND o.measure <> f.fmeasure"
    else:
        group, where, first, alias = "measure, ", "", "", ""
    pair = {"other": describe('r', 'ot', 'o_'), "first": describe('r', 'tt', 't_')}
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
           CASE WHEN r.verdict = 'consistent' THEN {sql_text("audit.restates", **pair)}
                ELSE {sql_text("audit.restates-differ", **pair)} || coalesce(n.note, '') END,
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
    pair = {"part": describe('r', 'pt', 'p_'), "whole": describe('r', 'wt', 'w_')}
    return f"""
    WITH r AS (
        SELECT row_number() OVER () AS fid, k.budget_id, k.rule, {claim_cols('p', 'p_')}, {claim_cols('w', 'w_')},
               p.lo <= w.hi AS within
        FROM ({pick(requests)}) k JOIN E p ON p.key = claim_key(k.budget_id, k.part_id)
        JOIN E w ON w.key = claim_key(k.budget_id, k.pid)
    ), n AS ({note("SELECT fid, budget_id, p_amt AS target, p_cunit AS unit, [p_ord] AS used, p_measure AS measure FROM r WHERE NOT within", 2, "audit.bound-relabelled", "figures", drop_measure=True)})
    SELECT r.budget_id, CASE WHEN within THEN 'consistent' ELSE 'semantic' END,
           r.p_amt, r.p_as_, itext(r.p_lo, r.p_hi, r.p_is_), r.w_amt, r.w_as_,
           '[0, ' || fmt(r.w_hi, r.w_is_) || ']', r.p_cunit,
           CASE WHEN within THEN {sql_text("audit.bound-within", **pair)}
                ELSE {sql_text("audit.bound-exceeds", **pair)} END || coalesce(n.note, ''),
           r.w_claim_id, r.p_ord, 0, r.rule
    FROM r {text_of('pt', 'r.budget_id', 'r.p_ord')} {text_of('wt', 'r.budget_id', 'r.w_ord')}
    LEFT JOIN n ON n.fid = r.fid"""


def comparison_year_sql(rule: Rule) -> str:
    years = {"year": "CAST(year AS VARCHAR)", "base_year": "CAST(base_year AS VARCHAR)"}
    return f"""
    SELECT budget_id, CASE WHEN base_year < year THEN 'consistent' ELSE 'text' END,
           NULL, 0, '', NULL, 0, '', '',
           CASE WHEN base_year < year THEN {sql_text("audit.comparison-year", **years)}
                ELSE {sql_text("audit.comparison-year-not-earlier", **years)} END,
           '', ord, 0
    FROM E WHERE kind = 'change' AND base_year IS NOT NULL"""


def change_direction_sql(rule: Rule) -> str:
    movement = {"prior": "fmt(q_v, q_vs) || usuffix(udiff(q_unit, u_unit), q_unit)",
                "current": "fmt(u_v, u_vs) || usuffix(udiff(q_unit, u_unit), u_unit)",
                "direction": "movement(c_direction)"}
    return f"""
    SELECT budget_id, 'text', v, vs, '', NULL, 0, '', cunit,
           {sql_text("audit.direction-unfilled")}, '', ord, 0
    FROM E WHERE kind = 'change' AND direction = 'unspecified'
    UNION ALL
    SELECT budget_id, CASE WHEN ok THEN 'consistent' ELSE 'text' END,
           c_sv, c_vs, '', u_amt - q_amt, greatest(u_as_, q_as_), itext(dlo, dhi, greatest(u_is_, q_is_)), c_cunit,
           CASE WHEN ok THEN {sql_text("audit.direction-possible", **movement)}
                ELSE {sql_text("audit.direction-impossible", **movement)} END,
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
