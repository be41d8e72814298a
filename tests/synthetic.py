"""Synthetic budget explanations in the standard template, with drift planted at known places.

For the collection tests and the benchmarks only: these are NOT real budgets. Each department
of each county gets a run of consecutive years; true amounts are whole 元, printed in 万元 with
correct rounding (half up, two decimals), so an untouched budget is consistent under the audit
by construction. Planted errors change one printed figure (text and claim alike: the
transcription is faithful, the document is wrong) and are recorded as ground truth.

    budgets = generate(200, seed=7)
    write_packages(budgets, folder)          # data packages budgetkit.load reads
    write_documents(budgets, folder)         # the explanations as .txt, for budgetkit.extract
    budgets_df, claims_df, lines_df = long_tables(budgets)   # straight to a Collection, no files
    truth = ground_truth(budgets)            # budget_id, claim_id, kind of planted error
    recall, precision, missed, false_alarms = recall_precision(findings, truth)   # of an audit's findings

    both = generate(200, seed=7, final_accounts=1.0)   # each budget followed by its year's 决算 (final accounts)

A final accounts (部门决算) states the year's outturn (决算数) beside the budget (年初预算数) in the
Shanghai/national final-accounts template's sections and sentences ("年初预算为X万元，支出决算为Y万元，完成年初预算的
Z%。决算数小于预算数的主要原因：…"), its changes on the prior year's outturn as Beijing's prints them ("比2022年度增加X万元，
增长Y%"; the reader does not take the national "与2022年度相比，…增加X万元" as a change); its 年初预算数 are the
budget document's true figures. Its balances carried in and out are nil (收入支出总计 = 本年收入合计 = 本年支出合计):
the text template states them only in its tables.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from budgetkit.audit import section_of_lines
from budgetkit.model import quote_around
from budgetkit.numbers import parse_figure
from budgetkit.schema import UNKNOWN_KIND, bundled_data_dir, read_descriptor

#: Later series of the same departments are placed in other (fictional) prefectures, so every
#: department name is unique and year-over-year comparisons pair the right documents.
CITIES = ["遂宁市", "南充市", "绵阳市", "德阳市", "广安市", "达州市", "巴中市", "内江市", "资阳市", "眉山市",
          "乐山市", "宜宾市", "泸州市", "自贡市", "雅安市", "广元市"]
COUNTIES = [("anju", "安居区"), ("chuanshan", "船山区"), ("shehong", "射洪市"), ("pengxi", "蓬溪县"),
            ("daying", "大英县"), ("city", "")]
# department slug, name, the 类 it mostly spends in, and its 款/项 (code, name) there
DEPARTMENTS = [
    ("union", "总工会", ("201", "一般公共服务支出", "一般公共服务"),
     [("20129", "群众团体事务", [("2012901", "行政运行"), ("2012950", "事业运行"), ("2012999", "其他群众团体事务支出")])]),
    ("education", "教育局", ("205", "教育支出", "教育"),
     [("20501", "教育管理事务", [("2050101", "行政运行"), ("2050199", "其他教育管理事务支出")]),
      ("20502", "普通教育", [("2050201", "学前教育"), ("2050202", "小学教育"), ("2050203", "初中教育")])]),
    ("health", "卫生健康局", ("210", "卫生健康支出", "卫生健康"),
     [("21001", "卫生健康管理事务", [("2100101", "行政运行"), ("2100199", "其他卫生健康管理事务支出")]),
      ("21004", "公共卫生", [("2100401", "疾病预防控制机构"), ("2100408", "基本公共卫生服务")])]),
    ("culture", "文化广播电视和旅游局", ("207", "文化旅游体育与传媒支出", "文化旅游体育与传媒"),
     [("20701", "文化和旅游", [("2070101", "行政运行"), ("2070109", "群众文化"), ("2070199", "其他文化和旅游支出")])]),
    ("office", "人民政府办公室", ("201", "一般公共服务支出", "一般公共服务"),
     [("20103", "政府办公厅（室）及相关机构事务", [("2010301", "行政运行")])]),
    ("congress", "人大常委会办公室", ("201", "一般公共服务支出", "一般公共服务"),
     [("20101", "人大事务", [("2010101", "行政运行")])]),
]
COMMON_CLASSES = [
    (("208", "社会保障和就业支出", "社会保障和就业"),
     [("20805", "行政事业单位养老支出", [("2080501", "行政单位离退休"), ("2080505", "机关事业单位基本养老保险缴费支出")])]),
    (("210", "卫生健康支出", "卫生健康"),
     [("21011", "行政事业单位医疗", [("2101101", "行政单位医疗"), ("2101103", "公务员医疗补助")])]),
    (("221", "住房保障支出", "住房保障"), [("22102", "住房改革支出", [("2210201", "住房公积金")])]),
]
PLANTED_KINDS = ("total-mistyped", "part-mistyped", "share-miscomputed", "change-miscomputed",
                 "change-direction-wrong", "reason-year", "direction-placeholder")
CROSS_BUDGET_KIND = "prior-restated"
#: Errors planted in final accounts (决算): a 完成预算的X% miscomputed, a total of the accounts mistyped, the
#: percentage change on the prior year's outturn miscomputed, the reason for a rate not 100% left out.
ACCOUNTS_PLANTED_KINDS = ("completion-miscomputed", "accounts-total-mistyped", "outturn-change-miscomputed",
                          "reason-missing")
#: A 决算 restating its budget's 年初预算数 of an item wrongly, its rate following the wrong figure: consistent in
#: itself, found only against the budget document (``collection.restated_budget_findings``).
BUDGET_RESTATED_KIND = "budget-restated"
#: The errors found only across documents (``Collection.year_over_year``, ``collection.restated_budget_findings``).
CROSS_DOCUMENT_KINDS = (CROSS_BUDGET_KIND, BUDGET_RESTATED_KIND)
FINAL_ACCOUNTS = "final-accounts"


def wan(yuan: int) -> str:
    """元 printed in 万元 as the template prints it: two decimals, rounded half up; nothing is 0."""
    if yuan == 0:
        return "0"
    return str((Decimal(yuan) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(part: int, whole: int) -> str:
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@dataclass(eq=False)
class Fig:
    """One printed figure; becomes a claim when the document is rendered."""

    measure: str
    text: str
    kind: str = "amount"
    unit: str = "万元"
    year: int | None = None
    code: str | None = None
    label: str = ""
    direction: str | None = None
    base_measure: str | None = None
    base_year: int | None = None
    ref: Fig | None = None
    base: Fig | None = None
    qualifier: str | None = None
    role: str = ""  # what planting may do to it: total, part, share, change
    id: str = ""


@dataclass
class Synthetic:
    budget_id: str
    department: str
    year: int
    county: str
    lines: list  # each a list of str | Fig
    line_items: list[dict]
    planted: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    text: str = ""
    #: budget or final-accounts, stated in the package; None (unstated) when the generator writes budgets only
    document_kind: str | None = None

    def render(self) -> None:
        """Lay the figures into text lines and number them as claims (c<line>-<n>)."""
        out, claims, section, top = [], [], "", ""
        for number, parts in enumerate(self.lines, start=1):
            text, n = "", 0
            if parts and isinstance(parts[0], str):
                head = parts[0]
                if "、" in head[:4] and head.split("、")[0] in _NUMERALS:
                    top, section = head.split("、")[0], head.split("、")[0]
                elif head.startswith("（") and "）" in head[:5] and top:
                    section = top + head[: head.index("）") + 1]
            for part in parts:
                if isinstance(part, str):
                    text += part
                    continue
                n += 1
                part.id = f"c{number:03d}-{n}"
                start = len(text)
                text += part.text
                claims.append((part, number, start, len(text), section))
            out.append(text)
        self.text = "\n".join(out) + "\n"
        rows = []
        for fig, number, start, end, sec in claims:
            figure = parse_figure(fig.text) if fig.text != "持平" else None
            rows.append({
                "claim_id": fig.id, "section": sec, "line": number, "char_start": start, "char_end": end,
                "text": fig.text, "kind": fig.kind, "measure": fig.measure, "code": fig.code, "label": fig.label,
                "year": fig.year or self.year, "value": figure.value if figure else Decimal(0),
                "unit": fig.unit, "decimals": figure.decimals if figure else None, "qualifier": fig.qualifier,
                "direction": fig.direction, "base_measure": fig.base_measure, "base_year": fig.base_year,
                "ref_claim_id": fig.ref.id if fig.ref else None, "base_claim_id": fig.base.id if fig.base else None,
            })
        self.claims = rows
        for planted in self.planted:
            planted["claim_id"] = planted.pop("fig").id if "fig" in planted else planted["claim_id"]


_NUMERALS = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"}


# -- one budget -------------------------------------------------------------------------------

@dataclass
class Truth:
    """A department's true figures of one year, in 元."""

    general: int
    carryover: int
    basic_personnel: int
    basic_public: int
    project: int
    classes: dict  # code -> 元 of 当年拨款 per 项
    overseas: int
    reception: int
    vehicle_purchase: int
    vehicle_operation: int
    meeting: int
    training: int
    travel: int
    admin: int
    staff: int
    retired: int
    vehicles: int

    @property
    def total(self) -> int:
        return self.general + self.carryover

    @property
    def basic(self) -> int:
        return self.basic_personnel + self.basic_public

    @property
    def three_public(self) -> int:
        return self.overseas + self.reception + self.vehicle_purchase + self.vehicle_operation

    @property
    def mtt(self) -> int:
        return self.meeting + self.training + self.travel


def _truth(rng: random.Random, department: tuple, previous: Truth | None) -> Truth:
    grow = (lambda x, lo=0.85, hi=1.2: int(x * rng.uniform(lo, hi)) // 100 * 100) if previous else None
    staff = previous.staff + rng.choice([-1, 0, 0, 1]) if previous else rng.randint(5, 120)
    staff = max(staff, 3)
    personnel = staff * rng.randint(110_000, 190_000)
    public = staff * rng.randint(15_000, 60_000) + rng.randint(0, 30) * 10_000
    project = rng.choice([0, rng.randint(1, 400) * 10_000 + rng.randint(0, 9999)]) if not previous else grow(previous.project + 1)
    basic = personnel + public
    carryover = rng.choice([0, 0, rng.randint(1, 200_000)])
    general = basic + project - carryover
    if general <= 0:
        carryover, general = 0, basic + project
    # 当年拨款 by 项: most in the department's own 类, the rest in the common ones
    main_items = department[3]
    codes = [code for _, _, items in main_items for code, _ in items]
    shares = {"2080501": 0.02, "2080505": 0.07, "2101101": 0.03, "2101103": 0.01, "2210201": 0.06}
    classes, rest = {}, general
    for code, share in shares.items():
        classes[code] = int(general * share * rng.uniform(0.7, 1.3))
        rest -= classes[code]
    weights = [rng.random() + 0.2 for _ in codes]
    for i, code in enumerate(codes):
        classes[code] = int(rest * weights[i] / sum(weights)) if i < len(codes) - 1 else rest - sum(
            classes[c] for c in codes[:-1])
    reception = rng.choice([0, rng.randint(2, 60) * 1000])
    vehicles = rng.choice([0, 0, 1, 2, 3])
    return Truth(
        general=general, carryover=carryover, basic_personnel=personnel, basic_public=public, project=project,
        classes=classes, overseas=rng.choice([0, 0, 0, rng.randint(5, 30) * 1000]), reception=reception,
        vehicle_purchase=rng.choice([0, 0, 0, rng.randint(10, 25) * 10_000]) if vehicles and staff > 40 else 0,
        vehicle_operation=vehicles * rng.randint(8, 25) * 1000,
        meeting=rng.choice([0, rng.randint(1, 30) * 1000]), training=rng.choice([0, rng.randint(1, 50) * 1000]),
        travel=rng.randint(2, 80) * 1000, admin=int(public * rng.uniform(0.5, 0.95)),
        staff=staff, retired=max(0, (previous.retired if previous else rng.randint(0, 40)) + rng.choice([0, 0, 1])),
        vehicles=vehicles,
    )


def _change_figs(measure: str, label: str, current: Fig, now: int, before: int, year: int, unit_prior=True):
    """比上年预算 X 增加/减少 Y万元 (or 持平): the prior figure and the change, as figures."""
    prior_label = f"{year - 1}年{label}" + ("" if label.endswith("预算数") else "预算")
    prior = Fig(measure, wan(before), year=year - 1, label=prior_label, role="prior")
    if now == before:
        change = Fig(measure, "持平", kind="change", direction="unchanged", base_year=year - 1, ref=current,
                     base=prior, label=f"{label}与{year - 1}年持平", role="")
        return prior, [change], change
    direction, word = ("increase", "增加") if now > before else ("decrease", "减少")
    change = Fig(measure, wan(abs(now - before)), kind="change", direction=direction, base_year=year - 1, ref=current,
                 base=prior, label=f"{label}较{year - 1}年{word}", role="change")
    return prior, [word, change, "万元"], change


def _budget(rng: random.Random, budget_id: str, county: str, department: tuple, year: int, truth: Truth,
            prior: Truth, city: str = "遂宁市") -> Synthetic:
    name = f"{city}{county}{department[1]}"
    y, p = year, year - 1
    lines: list[list] = [[f"{name}{y}年部门预算编制说明"], ["一、部门基本情况"], ["（一）职能职责"],
                         [f"{name}主要职责是贯彻执行党和国家的方针政策，负责本部门职责范围内的各项工作。"],
                         ["二、部门预算单位构成"]]
    staff = Fig("staff_active", str(truth.staff), kind="count", unit="人", label="在职人员", qualifier="exact")
    retired = Fig("staff_retired", str(truth.retired), kind="count", unit="人", label="退休人员", qualifier="exact")
    lines.append([f"{name}属一级预算单位，单位现有在职人员", staff, "人，退休人员", retired, "人。"])

    # 三 收支预算
    lines.append(["三、收支预算情况说明"])
    total = Fig("budget_total", wan(truth.total), kind="total", label="收支总预算", role="total")
    prior_total, words, change = _change_figs("budget_total", "收支预算数", total, truth.total, prior.total, y)
    reason = _reason(rng, truth.total, prior.total, y)
    lines.append([f"按照综合预算的原则，{name}所有收入和支出均纳入部门预算管理。{name}{y}年收支总预算", total,
                  f"万元，比{p}年预算数", prior_total, *words, *reason])
    lines.append(["（一）收入预算情况"])
    income = Fig("income_total", wan(truth.total), kind="total", label="收入预算", role="total")
    general = Fig("income_general_budget", wan(truth.general), label="一般公共预算拨款收入", role="part")
    carry = Fig("income_carryover", wan(truth.carryover), label="上年结转", role="part")
    lines.append([f"{name}{y}年收入预算", income, "万元，其中：一般公共预算拨款收入", general,
                  "万元，政府性基金预算收入", Fig("income_gov_fund", "0", label="政府性基金预算收入"),
                  "万元，国有资本经营预算收入", Fig("income_state_capital", "0", label="国有资本经营预算收入"),
                  "万元，上年结转", carry, "万元。"])
    lines.append(["（二）支出预算情况"])
    expenditure = Fig("expenditure_total", wan(truth.total), kind="total", label="支出预算", role="total")
    basic = Fig("expenditure_basic", wan(truth.basic), label="基本支出", role="part")
    project = Fig("expenditure_project", wan(truth.project), label="项目支出", role="part")
    parts = [f"{name}{y}年支出预算", expenditure, "万元，其中：基本支出", basic, "万元"]
    if truth.total:
        parts += ["，占", Fig("expenditure_basic", pct(truth.basic, truth.total), kind="share", unit="%",
                             label="基本支出占支出预算", base_measure="expenditure_total", ref=basic,
                             base=expenditure, role="share"), "%"]
    parts += ["；项目支出", project, "万元"]
    if truth.total:
        parts += ["，占", Fig("expenditure_project", pct(truth.project, truth.total), kind="share", unit="%",
                             label="项目支出占支出预算", base_measure="expenditure_total", ref=project,
                             base=expenditure, role="share"), "%"]
    lines.append(parts + ["。"])

    # 四 财政拨款
    classes = _class_totals(department, truth)
    lines.append(["四、财政拨款收支预算情况说明"])
    fiscal = Fig("fiscal_total", wan(truth.total), kind="total", label="财政拨款收支总预算", role="total")
    prior_fiscal, words, _ = _change_figs("fiscal_total", "财政拨款收支预算数", fiscal, truth.total, prior.total, y)
    lines.append([f"{name}{y}年财政拨款收支总预算", fiscal, f"万元。比{p}年预算数", prior_fiscal, *words,
                  *_reason(rng, truth.total, prior.total, y)])
    fiscal_parts = ["收入包括：本年一般公共预算拨款收入", Fig("income_general_budget", wan(truth.general),
                                                     label="本年一般公共预算拨款收入"),
                    "万元、上年结转", Fig("income_carryover", wan(truth.carryover), label="上年结转"), "万元；支出包括："]
    # the carryover is spent in the department's own 类
    for index, (code, (label, amount)) in enumerate(classes.items()):
        amount += truth.carryover if code == department[2][0] else 0
        fiscal_parts += [("、" if index else "") + label,
                         Fig("fiscal_expenditure_by_function", wan(amount), code=code, label=label), "万元"]
    lines.append(fiscal_parts + ["。"])

    # 五 一般公共预算当年拨款
    lines.append(["五、一般公共预算当年拨款情况说明"])
    lines.append(["（一）一般公共预算当年拨款规模变化情况"])
    appropriation = Fig("appropriation_total", wan(truth.general), kind="total", label="一般公共预算当年拨款", role="total")
    prior_appr, words, _ = _change_figs("appropriation_total", "一般公共预算当年拨款预算数", appropriation,
                                        truth.general, prior.general, y)
    lines.append([f"{name}{y}年一般公共预算当年拨款", appropriation, f"万元，比{p}年预算数", prior_appr, *words,
                  *_reason(rng, truth.general, prior.general, y)])
    lines.append(["（二）一般公共预算当年拨款结构情况"])
    structure = []
    for index, (code, (label, amount)) in enumerate(classes.items()):
        figure = Fig("appropriation_by_function", wan(amount), code=code, label=label)
        structure += [("；" if index else "") + label, figure, "万元，占",
                      Fig("appropriation_by_function", pct(amount, truth.general), kind="share", unit="%", code=code,
                          label=f"{label}占一般公共预算当年拨款", base_measure="appropriation_total", ref=figure,
                          base=appropriation, role="share"), "%"]
    lines.append(structure + ["。"])
    lines.append(["（三）一般公共预算当年拨款具体使用情况"])
    items, line_items = [], []
    class_line = len(lines) - 1  # the 五（二） structure line, just before this heading
    for (klass, kname, kshort), kuan in _class_tree(department):
        line_items.append({"code": klass, "level": "类", "name": kname, "parent_code": None, "line": class_line,
                           "purpose": None})
        for kcode, kuan_name, xiang in kuan:
            first = True
            for code, xname in xiang:
                amount = truth.classes[code]
                number = len(lines) + 1
                if first:
                    line_items.append({"code": kcode, "level": "款", "name": kuan_name, "parent_code": klass,
                                       "line": number, "purpose": None})
                    first = False
                line_items.append({"code": code, "level": "项", "name": xname, "parent_code": kcode, "line": number,
                                   "purpose": "主要用于保障单位正常运转及履职。"})
                lines.append([f"{len(items) + 1}. {kshort}{klass}（类）{kuan_name}{kcode[3:]}（款）{xname}{code[5:]}（项）："
                              f"{y}年预算数为", Fig("appropriation_by_function", wan(amount), code=code, label=xname,
                                                  role="part"), "万元，主要用于保障单位正常运转及履职。"])
                items.append(code)

    # 六 基本支出
    lines.append(["六、一般公共预算基本支出情况说明"])
    lines.append([f"{name}{y}年一般公共预算基本支出", Fig("gpb_basic_total", wan(truth.basic), kind="total",
                                                   label="一般公共预算基本支出", role="total"), "万元，其中："])
    lines.append(["人员经费", Fig("basic_personnel", wan(truth.basic_personnel), label="人员经费", role="part"),
                  "万元，主要包括：基本工资、津贴补贴、奖金、社会保险缴费、住房公积金等。"])
    lines.append(["公用经费", Fig("basic_public", wan(truth.basic_public), label="公用经费", role="part"),
                  "万元，主要包括：办公费、印刷费、水费、电费、邮电费、差旅费、维修（护）费等。"])

    # 七 三公
    lines.append(["七、“三公”经费财政拨款预算安排情况说明"])
    three = Fig("three_public_total", wan(truth.three_public), kind="total", label="“三公”经费财政拨款预算", role="total")
    overseas = Fig("three_public_overseas", wan(truth.overseas), label="因公出国（境）经费")
    reception = Fig("three_public_reception", wan(truth.reception), label="公务接待费", role="part")
    vehicles = Fig("three_public_vehicles", wan(truth.vehicle_purchase + truth.vehicle_operation),
                   label="公务用车购置及运行维护费", role="part")
    three_line = [f"{name}{y}年“三公”经费财政拨款预算数", three, "万元"]
    if prior.three_public > 0:
        prior_three = Fig("three_public_total", wan(prior.three_public), year=p, label=f"{p}年“三公”经费预算")
        if truth.three_public != prior.three_public:
            word, direction = ("增长", "increase") if truth.three_public > prior.three_public else ("下降", "decrease")
            rate = pct(abs(truth.three_public - prior.three_public), prior.three_public)
            three_line += [f"，比{p}年", prior_three, f"万元{word}",
                           Fig("three_public_total", rate, kind="change", unit="%", direction=direction, base_year=p,
                               ref=three, base=prior_three, label=f"“三公”经费较{p}年{word}"), "%"]
    lines.append(three_line + ["，其中：因公出国（境）经费", overseas, "万元，公务接待费", reception,
                               "万元，公务用车购置及运行维护费", vehicles, "万元。"])
    for sub, measure, label, now, before, current in (
            ("（一）", "three_public_overseas", "因公出国（境）经费", truth.overseas, prior.overseas, overseas),
            ("（二）", "three_public_reception", "公务接待费", truth.reception, prior.reception, reception),
            ("（三）", "three_public_vehicles", "公务用车购置及运行维护费", truth.vehicle_purchase + truth.vehicle_operation,
             prior.vehicle_purchase + prior.vehicle_operation, vehicles)):
        prior_fig, words, _ = _change_figs(measure, label, current, now, before, y)
        lines.append([f"{sub}{label}较{p}年预算", prior_fig, "万元", *words, "。"])
    count = Fig("official_vehicles", str(truth.vehicles), kind="total", unit="辆", label="单位现有公务用车")
    sedans = rng.randint(0, truth.vehicles)
    lines.append(["单位现有公务用车", count, "辆，其中：轿车",
                  Fig("official_vehicles_sedan", str(sedans), kind="count", unit="辆", label="轿车", qualifier="exact"),
                  "辆、越野车", Fig("official_vehicles_suv", str(truth.vehicles - sedans), kind="count", unit="辆",
                                  label="越野车", qualifier="exact"), "辆。"])
    lines.append([f"{y}年安排公务用车购置费", Fig("vehicle_purchase", wan(truth.vehicle_purchase), label="公务用车购置费"),
                  "万元，公务用车运行维护费", Fig("vehicle_operation", wan(truth.vehicle_operation), label="公务用车运行维护费",
                                       role="part"), "万元。"])

    # 八 会议费、培训费、差旅费
    lines.append(["八、“会议费”、“培训费”、“差旅费”财政拨款预算安排情况说明"])
    mtt = Fig("mtt_total", wan(truth.mtt), kind="total", label="“会议费”、“培训费”、“差旅费”财政拨款预算", role="total")
    meeting = Fig("meeting", wan(truth.meeting), label="会议费", role="part")
    training = Fig("training", wan(truth.training), label="培训费", role="part")
    travel = Fig("travel", wan(truth.travel), label="差旅费", role="part")
    lines.append([f"{name}{y}年“会议费”、“培训费”、“差旅费”财政拨款预算数", mtt, "万元，其中：会议费", meeting,
                  "万元，培训费", training, "万元，差旅费", travel, "万元。"])
    for measure, label, now, before, current in (("meeting", "会议费", truth.meeting, prior.meeting, meeting),
                                                 ("training", "培训费", truth.training, prior.training, training),
                                                 ("travel", "差旅费", truth.travel, prior.travel, travel)):
        prior_fig, words, _ = _change_figs(measure, label, current, now, before, y)
        lines.append([f"{label}较{p}年预算", prior_fig, "万元", *words, "。"])

    # 九 十 十一
    lines.append(["九、政府性基金预算支出情况说明"])
    lines.append([f"{name}{y}年没有使用政府性基金预算拨款安排的支出。"])
    lines.append(["十、国有资本经营预算支出情况说明"])
    lines.append([f"{name}{y}年没有使用国有资本经营预算拨款安排的支出。"])
    lines.append(["十一、其他重要事项的情况说明"])
    lines.append(["（一）机关运行经费"])
    admin = Fig("admin_operating_cost", wan(truth.admin), label="机关运行经费财政拨款预算", role="part")
    prior_admin, words, _ = _change_figs("admin_operating_cost", "机关运行经费", admin, truth.admin, prior.admin, y)
    lines.append([f"{y}年，{name}机关运行经费财政拨款预算为", admin, f"万元，比{p}年预算", prior_admin, *words,
                  *_reason(rng, truth.admin, prior.admin, y)])
    lines.append(["（二）政府采购情况"])
    procurement = rng.randint(0, 50) * 10_000
    lines.append([f"{y}年，{name}安排政府采购预算", Fig("procurement_total", wan(procurement), label="政府采购预算"), "万元。"])
    lines.append(["（三）国有资产占有使用情况"])
    lines.append([f"截至{p}年底，{name}所属各预算单位共有车辆",
                  Fig("vehicles_owned", str(truth.vehicles), kind="total", unit="辆", label="所属各预算单位共有车辆"),
                  "辆，其中，执法执勤用车", Fig("vehicles_owned_enforcement", "0", kind="count", unit="辆",
                                         label="执法执勤用车", qualifier="exact"), "辆。"])
    lines.append(["（四）预算绩效情况"])
    lines.append([f"{y}年{name}部门项目均按要求实行绩效目标管理，涉及一般公共预算当年拨款",
                  Fig("performance_scope", wan(truth.general), label="实行绩效目标管理涉及的一般公共预算当年拨款"), "万元。"])
    lines.append(["十二、名词解释"])
    lines.append(["1. 一般公共预算拨款收入：指财政当年拨付的资金。"])
    return Synthetic(budget_id, name, year, county, lines, line_items)


def _reason(rng: random.Random, now: int, before: int, year: int) -> list:
    if now > before:
        return [f"。主要是{year}年人员经费的增多。"]
    if now < before:
        return ["。主要是项目支出的减少。"]
    return ["。"]


def _class_tree(department: tuple) -> list:
    tree = [(department[2], department[3])]
    for klass, kuan in COMMON_CLASSES:
        if klass[0] == department[2][0]:
            tree[0] = (tree[0][0], tree[0][1] + kuan)
        else:
            tree.append((klass, kuan))
    return tree


def _class_totals(department: tuple, truth: Truth) -> dict:
    totals = {}
    for (klass, kname, _), kuan in _class_tree(department):
        totals[klass] = (kname, sum(truth.classes[code] for _, _, xiang in kuan for code, _ in xiang))
    return totals


# -- one final accounts (决算) ------------------------------------------------------------------

@dataclass
class Outturn:
    """What a department spent in a year, in 元 (its final accounts' 决算数)."""

    spent: dict  # 项 code -> 元 of general-public-budget spending
    basic_personnel: int
    basic_public: int
    overseas: int
    reception: int
    vehicles: int
    admin: int

    @property
    def total(self) -> int:
        return sum(self.spent.values())

    @property
    def basic(self) -> int:
        return self.basic_personnel + self.basic_public

    @property
    def project(self) -> int:
        return self.total - self.basic

    @property
    def three_public(self) -> int:
        return self.overseas + self.reception + self.vehicles


def _outturn(rng: random.Random, truth: Truth) -> Outturn:
    """The year's outturn of a budget: a little under it mostly, some items spent exactly, the project
    spending sometimes above it (the carryover spent too)."""
    def spent(budget: int, lo: float = 0.85) -> int:
        return budget if rng.random() < 0.3 else int(budget * rng.uniform(lo, 1.0)) // 100 * 100

    personnel, public = spent(truth.basic_personnel, 0.92), spent(truth.basic_public)
    total = personnel + public + int((truth.project + truth.carryover) * rng.uniform(0.7, 1.0))
    codes = list(truth.classes)
    weights = [truth.classes[code] * rng.uniform(0.8, 1.2) + 1 for code in codes]
    shares = {code: int(total * weight / sum(weights)) for code, weight in zip(codes[:-1], weights)}
    shares[codes[-1]] = total - sum(shares.values())
    return Outturn(spent=shares, basic_personnel=personnel, basic_public=public, overseas=spent(truth.overseas, 0.3),
                   reception=spent(truth.reception, 0.3),
                   vehicles=spent(truth.vehicle_purchase + truth.vehicle_operation, 0.5),
                   admin=min(spent(truth.admin), public))


def _on_prior_outturn(measure: str, label: str, current: Fig, now: int, before: int, prior_year: int) -> list:
    """"，比2022年度增加X万元，增长Y%": the change on the prior year's outturn (not stated itself); nothing
    when the two are equal or the prior year's is nil (no percentage of it)."""
    if now == before or before == 0:
        return []
    word, rate_word, direction = ("增加", "增长", "increase") if now > before else ("减少", "下降", "decrease")
    amount = Fig(measure, wan(abs(now - before)), kind="change", direction=direction, base_year=prior_year,
                 ref=current, label=f"{label}较{prior_year}年{word}")
    rate = Fig(measure, pct(abs(now - before), before), kind="change", unit="%", direction=direction,
               base_year=prior_year, ref=current, base=amount, label=f"{label}较{prior_year}年{rate_word}",
               role="outturn-change")
    return [f"，比{prior_year}年度{word}", amount, f"万元，{rate_word}", rate, "%"]


def _against_budget(measure: str, label: str, budget: int, spent: int, lead: str, rate_words: str,
                    code: str | None = None) -> list:
    """"年初预算为X万元，支出决算为Y万元，完成年初预算的Z%": the budget (an item of its own), the outturn and
    their ratio; no ratio of a nil budget."""
    planned = Fig("unnamed_item", wan(budget), kind="item", label=f"{label}年初预算")
    outturn = Fig(measure, wan(spent), kind="item" if measure == "unnamed_item" else "amount", code=code,
                  label=f"{label}决算")
    parts = [f"{lead}年初预算为", planned, "万元，支出决算为", outturn, "万元"]
    if budget:
        parts += [f"，{rate_words}", Fig(measure, pct(spent, budget), kind="share", unit="%", base_measure="unnamed_item",
                                        code=code, ref=outturn, base=planned, label=f"{label}决算占{label}年初预算",
                                        role="completion"), "%"]
    return parts


#: The reasons ``_why_it_differs`` gives where the outturn is not the budget (what ``reason-missing`` leaves out).
_REASONS = ("。决算数小于预算数的主要原因：厉行节约，部分项目未开展完成。", "。决算数大于预算数的主要原因：年中追加了项目经费。")


def _why_it_differs(budget: int, spent: int) -> str:
    if spent != budget:
        return _REASONS[spent > budget]
    return "。决算数同预算数持平。"


def _final_accounts(budget_id: str, name: str, county: str, department: tuple, year: int, truth: Truth,
                    spent: Outturn, before: Outturn) -> Synthetic:
    """A department's 部门决算 of ``year``: ``spent`` beside the budget ``truth``, changes on ``before``."""
    y, p = year, year - 1
    lines: list[list] = [[f"{name}{y}年度部门决算"], ["第一部分 部门概况"],
                         [f"{name}主要职责是贯彻执行党和国家的方针政策，负责本部门职责范围内的各项工作。"],
                         [f"第二部分 {y}年度部门决算情况说明"], ["一、收入支出决算总体情况说明"]]
    grand = Fig("accounts_grand_total", wan(spent.total), kind="total", label="收入支出总计", role="total")
    lines.append([f"{name}{y}年度收入支出总计", grand, "万元",
                  *_on_prior_outturn("accounts_grand_total", "收入支出总计", grand, spent.total, before.total, p),
                  "。主要原因：项目支出变动。" if spent.total != before.total else "。"])
    lines.append(["二、收入决算情况说明"])
    income = Fig("accounts_income_total", wan(spent.total), kind="total", label="收入合计", role="total")
    general = Fig("income_general_budget", wan(spent.total), label="一般公共预算财政拨款收入")
    income_line = ["本年收入合计", income, "万元",
                   *_on_prior_outturn("accounts_income_total", "收入合计", income, spent.total, before.total, p),
                   "，其中：一般公共预算财政拨款收入", general, "万元"]
    if spent.total:
        income_line += ["，占", Fig("income_general_budget", pct(spent.total, spent.total), kind="share", unit="%",
                                   base_measure="accounts_income_total", ref=general, base=income,
                                   label="一般公共预算财政拨款收入占收入合计"), "%"]
    lines.append(income_line + ["。"])
    lines.append(["三、支出决算情况说明"])
    expenditure = Fig("accounts_expenditure_total", wan(spent.total), kind="total", label="支出合计", role="total")
    basic = Fig("expenditure_basic", wan(spent.basic), label="基本支出")
    project = Fig("expenditure_project", wan(spent.project), label="项目支出")
    parts = ["本年支出合计", expenditure, "万元，其中：基本支出", basic, "万元"]
    if spent.total:
        parts += ["，占", Fig("expenditure_basic", pct(spent.basic, spent.total), kind="share", unit="%",
                             base_measure="accounts_expenditure_total", ref=basic, base=expenditure,
                             label="基本支出占支出合计"), "%"]
    parts += ["；项目支出", project, "万元"]
    if spent.total:
        parts += ["，占", Fig("expenditure_project", pct(spent.project, spent.total), kind="share", unit="%",
                             base_measure="accounts_expenditure_total", ref=project, base=expenditure,
                             label="项目支出占支出合计"), "%"]
    lines.append(parts + ["。"])
    lines.append(["四、财政拨款收入支出决算总体情况说明"])
    # the text template's "财政拨款收入支出总计" is read as 财政拨款收入 (its balances being nil here, the same)
    fiscal = Fig("income_fiscal", wan(spent.total), kind="total", label="财政拨款收入支出总计", role="total")
    lines.append([f"{name}{y}年度财政拨款收入支出总计", fiscal, "万元",
                  *_on_prior_outturn("income_fiscal", "财政拨款收入支出总计", fiscal, spent.total, before.total, p), "。"])

    lines.append(["五、一般公共预算财政拨款支出决算情况说明"])
    lines.append(["（一）一般公共预算财政拨款支出决算总体情况"])
    gpb = Fig("unnamed_item", wan(spent.total), kind="item", label="一般公共预算财政拨款支出")
    gpb_line = ["一般公共预算财政拨款支出", gpb, "万元"]
    if spent.total:
        gpb_line += ["，占本年支出合计的", Fig("unnamed_item", pct(spent.total, spent.total), kind="share", unit="%",
                                       base_measure="accounts_expenditure_total", ref=gpb, base=expenditure,
                                       label="一般公共预算财政拨款支出占本年支出合计"), "%"]
    lines.append(gpb_line + _on_prior_outturn("unnamed_item", "一般公共预算财政拨款支出", gpb, spent.total,
                                              before.total, p) + ["。"])
    lines.append(["（二）一般公共预算财政拨款支出决算结构情况"])
    classes = {klass: (kname, sum(spent.spent[code] for _, _, xiang in kuan for code, _ in xiang))
               for (klass, kname, _), kuan in _class_tree(department)}
    # as the template prints it: its total and shares are not read (a 类 named with （类）), its 类 are items
    structure = [f"一般公共预算财政拨款支出{wan(spent.total)}万元，主要用于以下方面："]
    for index, (label, amount) in enumerate(classes.values()):
        share = pct(amount, spent.total) if spent.total else "0"
        structure += [("；" if index else "") + f"{label}（类）", Fig("unnamed_item", wan(amount), kind="item",
                                                                   label=f"{label}（类）"), f"万元，占{share}%"]
    lines.append(structure + ["。"])
    lines.append(["（三）一般公共预算财政拨款支出决算具体情况"])
    lines.append(_against_budget("unnamed_item", "一般公共预算财政拨款支出", truth.general, spent.total,
                                 "一般公共预算财政拨款支出", "完成年初预算的")
                 + [_why_it_differs(truth.general, spent.total) + "其中："])
    number = 0
    for (klass, kname, _), kuan in _class_tree(department):
        for kcode, kuan_name, xiang in kuan:
            for code, xname in xiang:
                number += 1
                head = f"{number}、{kname}（类）{kuan_name}（款）{xname}（项）。主要用于：保障单位正常运转及履职。"
                item = _against_budget("appropriation_by_function", xname, truth.classes[code], spent.spent[code],
                                       head, "完成年初预算的", code)
                lines.append(item + [_why_it_differs(truth.classes[code], spent.spent[code])])

    lines.append(["六、一般公共预算财政拨款基本支出决算情况说明"])
    lines.append(["一般公共预算财政拨款基本支出", Fig("gpb_basic_total", wan(spent.basic), kind="total",
                                                label="一般公共预算财政拨款基本支出", role="total"),
                  "万元。其中：人员经费", Fig("basic_personnel", wan(spent.basic_personnel), label="人员经费"),
                  "万元，主要包括：基本工资、津贴补贴、奖金、社会保险缴费、住房公积金等；公用经费",
                  Fig("basic_public", wan(spent.basic_public), label="公用经费"),
                  "万元，主要包括：办公费、印刷费、水费、电费、邮电费、差旅费、维修（护）费等。"])

    lines.append(["七、财政拨款“三公”经费支出决算情况说明"])
    lines.append(["（一）“三公”经费财政拨款支出决算总体情况说明。"])
    three = _against_budget("three_public_total", "“三公”经费财政拨款支出", truth.three_public, spent.three_public,
                            "“三公”经费财政拨款支出", "完成预算的")
    three[3].kind, three[3].role = "total", "total"
    for separator, (measure, label, budget, outturn) in zip(("，其中：", "；", "；"), (
            ("three_public_overseas", "因公出国（境）费支出", truth.overseas, spent.overseas),
            ("three_public_vehicles", "公务用车购置及运行维护费支出", truth.vehicle_purchase + truth.vehicle_operation,
             spent.vehicles),
            ("three_public_reception", "公务接待费支出", truth.reception, spent.reception))):
        three += [separator, *_against_budget(measure, label, budget, outturn, label, "完成预算的")]
    lines.append(three + [_why_it_differs(truth.three_public, spent.three_public)])
    change = _on_prior_outturn("three_public_total", "“三公”经费财政拨款支出决算", three[3], spent.three_public,
                               before.three_public, p)
    if change:
        lines.append([f"{y}年度“三公”经费财政拨款支出决算数" + change[0][1:], *change[1:], "。"])

    lines.append(["八、政府性基金预算财政拨款收入支出决算情况说明"])
    lines.append([f"{name}{y}年度无政府性基金预算财政拨款收入和支出。"])
    lines.append(["九、国有资本经营预算财政拨款收入支出决算情况说明"])
    lines.append([f"{name}{y}年度无国有资本经营预算财政拨款收入和支出。"])
    lines.append(["十、其他重要事项的情况说明"])
    lines.append(["（一）机关运行经费支出情况"])
    admin = Fig("admin_operating_cost", wan(spent.admin), label="机关运行经费支出")
    lines.append([f"{y}年度，{name}机关运行经费支出", admin, "万元",
                  *_on_prior_outturn("admin_operating_cost", "机关运行经费支出", admin, spent.admin, before.admin, p),
                  "。主要原因是公用经费支出变动。" if spent.admin != before.admin else "。"])
    lines.append(["第三部分 名词解释"])
    lines.append(["1. 财政拨款收入：指单位本年度从本级财政部门取得的财政拨款。"])
    return Synthetic(budget_id, name, year, county, lines, [], document_kind=FINAL_ACCOUNTS)


# -- planting ---------------------------------------------------------------------------------

def _figs(budget: Synthetic) -> list[Fig]:
    return [part for parts in budget.lines for part in parts if isinstance(part, Fig)]


def _shift(text: str, rng: random.Random, minimum: Decimal, avoid: frozenset = frozenset()) -> str:
    """``text`` moved by at least ``minimum``, by none of the amounts ``avoid`` lists (two errors of one
    budget moved alike can cancel out: a total and its part, a total and its change)."""
    value = Decimal(text) if text != "持平" else Decimal(0)
    places = Decimal("0.01")
    while True:
        delta = Decimal(rng.choice([1, 2, 3, 5, 9])) * Decimal(rng.choice(["0.1", "1", "10"]))
        new = value + delta if rng.random() < 0.5 or value - delta < 0 else value - delta
        if abs(new - value) >= minimum and abs(new - value) not in avoid:
            return str(new.quantize(places))


#: A rate whose printed figures leave it this uncertain (percentage points) is not planted wrong: a
#: shift the audit must see would be larger than the planter's.
_WIDEST_RATE = Decimal(20)


def _half_unit(text: str) -> Decimal:
    """Half a unit of the last printed place: the uncertainty of a printed figure."""
    return Decimal(1).scaleb(Decimal(text).as_tuple().exponent) / 2


def _not_whole(rate: str) -> bool:
    """Whether a rate as printed cannot be 100% (the template asks no reason of one that can)."""
    return abs(Decimal(rate) - 100) > _half_unit(rate)


def _rate_width(fig: Fig) -> Decimal:
    """How wide the percentages a rate's printed figures admit are: a completion rate's (the outturn over
    the budget) or a change's on the prior year's outturn the change implies; infinite when that base can be nil."""
    if fig.role == "completion":
        part, whole = Decimal(fig.ref.text), Decimal(fig.base.text)
        part_half, whole_half = _half_unit(fig.ref.text), _half_unit(fig.base.text)
    else:  # the change amount over the prior outturn (current − change, or + for a fall)
        part, current = Decimal(fig.base.text), Decimal(fig.ref.text)
        whole = current - part if fig.direction == "increase" else current + part
        part_half = _half_unit(fig.base.text)
        whole_half = part_half + _half_unit(fig.ref.text)
    if whole - whole_half <= 0:
        return Decimal("Infinity")
    return ((part + part_half) / (whole - whole_half) - (part - part_half) / (whole + whole_half)) * 100


def _plant(rng: random.Random, budget: Synthetic, kind: str) -> bool:
    figs = _figs(budget)
    if kind == "total-mistyped":
        pool = [f for f in figs if f.role == "total"]
    elif kind == "part-mistyped":
        pool = [f for f in figs if f.role == "part"]
    elif kind == "share-miscomputed":
        pool = [f for f in figs if f.role == "share"]
    elif kind in ("change-miscomputed", "change-direction-wrong", "direction-placeholder"):
        pool = [f for f in figs if f.role == "change" and f.unit == "万元" and f.text not in ("0", "0.00")]
    elif kind == "reason-year":
        pool = [f for parts in budget.lines for f in parts[:-1] if isinstance(f, Fig) and f.role == "change"
                and isinstance(parts[-1], str) and f"主要是{budget.year}年" in parts[-1]]
    elif kind == "completion-miscomputed":
        pool = [f for f in figs if f.role == "completion" and _rate_width(f) < _WIDEST_RATE]
    elif kind == "accounts-total-mistyped":
        pool = [f for f in figs if f.role == "total"]
    elif kind == "outturn-change-miscomputed":
        pool = [f for f in figs if f.role == "outturn-change" and _rate_width(f) < _WIDEST_RATE]
    elif kind == "reason-missing":  # the one rate of its line, not 100% as printed, its reason ending the line
        pool = [rates[0] for parts in budget.lines
                if len(rates := [f for f in parts if isinstance(f, Fig) and f.role == "completion"]) == 1
                and parts[-1] in _REASONS and _not_whole(rates[0].text)]
    else:
        raise ValueError(kind)
    taken = {p.get("fig") for p in budget.planted}
    pool = [f for f in pool if f not in taken]
    if not pool:
        return False
    fig = rng.choice(pool)
    moved = frozenset(p["moved"] for p in budget.planted if "moved" in p)
    if kind in ("total-mistyped", "part-mistyped", "change-miscomputed", "accounts-total-mistyped"):
        was = Decimal(fig.text) if fig.text != "持平" else Decimal(0)
        fig.text = _shift(fig.text, rng, Decimal("0.10"), moved)
        budget.planted.append({"budget_id": budget.budget_id, "fig": fig, "kind": kind,
                               "moved": abs(Decimal(fig.text) - was)})
        return True
    elif kind == "share-miscomputed":
        fig.text = _shift(fig.text, rng, Decimal("0.50"))
    elif kind in ("completion-miscomputed", "outturn-change-miscomputed"):
        fig.text = _shift(fig.text, rng, _rate_width(fig) + Decimal("0.50"))
    elif kind in ("change-direction-wrong", "direction-placeholder"):
        for parts in budget.lines:
            if fig in parts:
                index = parts.index(fig) - 1
                word = "增长（下降）" if kind == "direction-placeholder" else {"增加": "减少", "减少": "增加"}[parts[index]]
                parts[index] = word
        fig.direction = "unspecified" if kind == "direction-placeholder" else (
            "increase" if fig.direction == "decrease" else "decrease")
    elif kind == "reason-year":
        for parts in budget.lines:
            if fig in parts:
                parts[-1] = parts[-1].replace(f"主要是{budget.year}年", f"主要是{budget.year - 1}年")
    elif kind == "reason-missing":
        for parts in budget.lines:
            if fig in parts:
                parts[-1] = "。"
    budget.planted.append({"budget_id": budget.budget_id, "fig": fig, "kind": kind})
    return True


# -- many budgets -----------------------------------------------------------------------------

def generate(n: int, seed: int = 0, drift_share: float = 0.5, years: int = 4, first_year: int = 2022,
             restated_share: float = 0.1, first_unit: int = 0, final_accounts: float = 0.0) -> list[Synthetic]:
    """``n`` budgets: departments × counties, each over ``years`` consecutive years.

    About ``drift_share`` of the budgets get one or two planted errors; about ``restated_share``
    of the later years restate a prior-year figure differently from the year before's document
    (found only across budgets, by ``Collection.year_over_year``).

    About ``final_accounts`` of the budgets are followed by their year's final accounts (部门决算,
    budget_id ``<budget's>-final-accounts``), as many of which get one or two ``ACCOUNTS_PLANTED_KINDS``
    as ``drift_share`` says, and about ``restated_share`` a ``BUDGET_RESTATED_KIND`` (a 年初预算数 other than its
    budget's, found only against it); then every document states its kind. The 决算 are drawn from a random
    sequence of their own: the budgets' text and claims are those of ``final_accounts=0``, whatever its value.
    """
    rng = random.Random(seed)
    accounts_rng = random.Random(f"{seed}/final-accounts")
    budgets: list[Synthetic] = []
    unit = first_unit
    made = 0  # budgets made; their final accounts come besides
    while made < n:
        department = DEPARTMENTS[unit % len(DEPARTMENTS)]
        county_slug, county = COUNTIES[(unit // len(DEPARTMENTS)) % len(COUNTIES)]
        series = unit // (len(COUNTIES) * len(DEPARTMENTS))
        unit += 1
        previous = _truth(rng, department, None)
        outturn = _outturn(accounts_rng, previous) if final_accounts else None
        for offset in range(years):
            if made >= n:
                break
            year = first_year + offset
            truth = _truth(rng, department, previous)
            suffix = f"-{series}" if series else ""
            budget_id = f"{county_slug}-{department[0]}{suffix}-{year}"
            city = CITIES[series % len(CITIES)] + ("" if series < len(CITIES) else f"第{series // len(CITIES)}片区")
            budget = _budget(rng, budget_id, county, department, year, truth, previous, city)
            if offset and rng.random() < restated_share:
                _restate(rng, budget, truth.general, previous.general)
            if rng.random() < drift_share:
                for kind in rng.sample(PLANTED_KINDS, rng.choice([1, 1, 2])):
                    _plant(rng, budget, kind)
            budget.render()
            budgets.append(budget)
            made += 1
            previous = truth
            if final_accounts:
                budget.document_kind = "budget"
                before, outturn = outturn, _outturn(accounts_rng, truth)
                if accounts_rng.random() < final_accounts:
                    budgets.append(_accounts_of(accounts_rng, budget, department, truth, outturn, before, drift_share,
                                                restated_share))
    return budgets


def _accounts_of(rng: random.Random, budget: Synthetic, department: tuple, truth: Truth, spent: Outturn,
                 before: Outturn, drift_share: float, restated_share: float) -> Synthetic:
    accounts = _final_accounts(f"{budget.budget_id}-{FINAL_ACCOUNTS}", budget.department, budget.county, department,
                               budget.year, truth, spent, before)
    if rng.random() < drift_share:
        for kind in rng.sample(ACCOUNTS_PLANTED_KINDS, rng.choice([1, 1, 2])):
            _plant(rng, accounts, kind)
    if rng.random() < restated_share:
        _restate_budget(rng, accounts)
    accounts.render()
    return accounts


def _restate_budget(rng: random.Random, accounts: Synthetic) -> None:
    """The 决算 restates an item's 年初预算数 other than its budget printed it, the rate recomputed on the wrong
    figure and the outturn kept on the same side of it (so its reason still holds): consistent in itself. Not on
    a line an error is planted on already."""
    taken = {p["fig"] for p in accounts.planted}
    pool = [rate for parts in accounts.lines for rate in parts
            if isinstance(rate, Fig) and rate.role == "completion" and rate.ref.measure == "appropriation_by_function"
            and rate.ref.text != rate.base.text and not taken & {f for f in parts if isinstance(f, Fig)}]
    if not pool:
        return
    rate = rng.choice(pool)
    planned, spent = rate.base, Decimal(rate.ref.text)
    for _ in range(20):
        restated = Decimal(_shift(planned.text, rng, Decimal("0.10")))
        if restated > 0 and (restated > spent) == (Decimal(planned.text) > spent) and restated != spent:
            break
    else:  # too close to nil to stay below the outturn
        return
    planned.text = str(restated)
    rate.text = pct(int(spent * 10000), int(restated * 10000))
    accounts.planted.append({"budget_id": accounts.budget_id, "fig": planned, "kind": BUDGET_RESTATED_KIND})


def _restate(rng: random.Random, budget: Synthetic, now: int, before: int) -> None:
    """This year's document restates last year's appropriation (调整预算数): the prior figure and
    the change follow the restated amount, so the document is consistent in itself."""
    prior = next(f for f in _figs(budget) if f.measure == "appropriation_total" and f.role == "prior")
    change = next((f for f in _figs(budget) if f.base is prior and f.role == "change"), None)
    restated = before + rng.choice([-1, 1]) * rng.randint(10, 500) * 1000
    if change is None or restated == now or restated <= 0:
        return
    prior.text = wan(restated)
    change.text = wan(abs(now - restated))
    change.direction = "increase" if now > restated else "decrease"
    for parts in budget.lines:
        if change in parts:
            parts[parts.index(change) - 1] = "增加" if now > restated else "减少"
    budget.planted.append({"budget_id": budget.budget_id, "fig": prior, "kind": CROSS_BUDGET_KIND})


def ground_truth(budgets: list[Synthetic]) -> pd.DataFrame:
    rows = [{"budget_id": p["budget_id"], "claim_id": p["claim_id"], "kind": p["kind"]} for b in budgets for p in b.planted]
    return pd.DataFrame(rows, columns=["budget_id", "claim_id", "kind"]).astype("str")


def recall_precision(findings: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float, list, list]:
    """A planted error is found when a non-consistent finding names its claim (as the claim or an
    input); a finding is a true alarm when it names a planted claim."""
    flagged = findings[findings["verdict"].astype(str) != "consistent"]
    involved = {(row.budget_id, claim_id) for row in flagged.itertuples()
                for claim_id in [row.claim_id, *row.inputs.split()] if claim_id}
    planted = {(row.budget_id, row.claim_id) for row in truth.itertuples()}
    missed = [row for row in truth.itertuples() if (row.budget_id, row.claim_id) not in involved]
    false_alarms = [row for row in flagged.itertuples()
                    if not ({(row.budget_id, c) for c in [row.claim_id, *row.inputs.split()]} & planted)]
    recall = 1 - len(missed) / max(len(truth), 1)
    precision = 1 - len(false_alarms) / max(len(flagged), 1)
    return recall, precision, missed, false_alarms


# -- output -----------------------------------------------------------------------------------

CLAIM_COLUMNS = ["claim_id", "section", "line", "char_start", "char_end", "text", "kind", "measure", "code", "label",
                 "year", "value", "unit", "decimals", "qualifier", "direction", "base_measure", "base_year",
                 "ref_claim_id", "base_claim_id"]
ITEM_COLUMNS = ["code", "level", "name", "parent_code", "line", "purpose"]


def _csv(rows: list[dict], columns: list[str]) -> str:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("line", "char_start", "char_end", "year", "decimals", "base_year"):
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame.to_csv(index=False, lineterminator="\n", na_rep="")


def write_packages(budgets: list[Synthetic], folder: str | Path, seed: int | None = None) -> list[Path]:
    """Each budget as a data package ``folder/<budget_id>/`` (datapackage.json, claims.csv,
    line_items.csv, raw/<budget_id>.txt), labelled synthetic in its descriptor, with its
    document_kind: a budget where the generator stated none (its title is a 部门预算编制说明)."""
    folder = Path(folder)
    reference = read_descriptor(bundled_data_dir())
    schemas = {r["name"]: r for r in reference["resources"] if r["name"] in ("claims", "line_items")}
    paths = []
    for budget in budgets:
        out = folder / budget.budget_id
        (out / "raw").mkdir(parents=True, exist_ok=True)
        (out / "raw" / f"{budget.budget_id}.txt").write_text(budget.text, encoding="utf-8")
        claims = [{**row, "value": "0" if row["text"] == "持平" else row["text"]} for row in budget.claims]
        (out / "claims.csv").write_text(_csv(claims, CLAIM_COLUMNS), encoding="utf-8")
        (out / "line_items.csv").write_text(_csv(budget.line_items, ITEM_COLUMNS), encoding="utf-8")
        title = (f"{budget.department}{budget.year}年度部门决算" if budget.document_kind == FINAL_ACCOUNTS
                 else f"{budget.department}{budget.year}年部门预算编制说明")
        descriptor = {
            "profile": "tabular-data-package",
            "name": f"synthetic-{budget.budget_id}",
            "title": f"{title} (SYNTHETIC)",
            "description": ("SYNTHETIC: generated by tests/synthetic.py" + (f" (seed {seed})" if seed is not None else "")
                            + " for demonstrations and tests; not a real budget. Figures are invented and some "
                              "errors are planted on purpose."),
            "synthetic": True,
            "planted": [{"claim_id": p["claim_id"], "kind": p["kind"]} for p in budget.planted],
            "budget": {"department": budget.department, "year": budget.year, "prior_year": budget.year - 1,
                       "document_kind": budget.document_kind or "budget",
                       "document": "raw-document", "amount_unit": "万元"},
            "resources": [
                {"name": "raw-document", "path": f"raw/{budget.budget_id}.txt", "format": "txt",
                 "mediatype": "text/plain", "encoding": "utf-8",
                 "title": "The synthetic final accounts" if budget.document_kind == FINAL_ACCOUNTS
                 else "The synthetic budget explanation"},
                schemas["claims"], schemas["line_items"],
            ],
        }
        (out / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(out)
    return paths


def write_documents(budgets: list[Synthetic], folder: str | Path) -> list[Path]:
    """Each budget's explanation as ``folder/<budget_id>.txt`` (for budgetkit.extract)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for budget in budgets:
        path = folder / f"{budget.budget_id}.txt"
        path.write_text(budget.text, encoding="utf-8")
        paths.append(path)
    return paths


def long_tables(budgets: list[Synthetic]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(budgets, claims, lines) long tables as ``budgetkit.collection.from_tables`` takes them,
    built without writing or loading any file (for the large benchmarks); with a document_kind
    column where the generator stated kinds."""
    meta, claims, lines = [], [], []
    stated_kinds = any(budget.document_kind for budget in budgets)
    for order, budget in enumerate(budgets):
        keys = {"budget_id": budget.budget_id, "department": budget.department, "budget_year": budget.year}
        kind = {"document_kind": budget.document_kind or UNKNOWN_KIND} if stated_kinds else {}
        meta.append({**keys, "prior_year": budget.year - 1, **kind, "source": "<synthetic>", "budget_order": order})
        text_lines = budget.text.split("\n")
        for index, row in enumerate(budget.claims):
            quote = quote_around(text_lines[row["line"] - 1], row["char_start"], row["char_end"])
            claims.append({**keys, **row, "quote": quote, "claim_order": index})
        sections = section_of_lines(budget.text)
        lines.extend({"budget_id": budget.budget_id, "line": number, "text": text, "section": section}
                     for number, (text, section) in enumerate(zip(text_lines, sections), start=1))
    return pd.DataFrame(meta), pd.DataFrame(claims), pd.DataFrame(lines)
