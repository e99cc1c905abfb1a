"""Read and write tender evaluation files: YAML, and the equivalent XLSX template.

Both formats become the same plain *document* (the mapping a YAML file holds), which
:func:`parse_document` turns into a :class:`~socialvalue.evaluation.model.Tender`. Reading never
stops at the first problem: it collects every problem, each with its path in the file
(``bids[0].scores.quality``), and raises one
:class:`~socialvalue.exceptions.EvaluationFileError` listing them all, so no partial result is
ever returned. The format is documented in ``docs/evaluation/file-format.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from socialvalue.evaluation.model import (
    DEFAULT_TIE_BREAK,
    HUNDRED,
    AbnormallyLowRule,
    Bid,
    Criterion,
    CriterionKind,
    Policy,
    PriceMethod,
    ProxyMeasure,
    Scale,
    ScaleLevel,
    Score,
    SensitivitySettings,
    SocialValueMode,
    Tender,
)
from socialvalue.evaluation.validation import Problem, validate_tender
from socialvalue.exceptions import EvaluationFileError

TOP_KEYS = (
    "title",
    "reference",
    "currency",
    "total_points",
    "criteria",
    "bids",
    "tie_break",
    "abnormally_low",
    "policy",
    "sensitivity",
)
CRITERION_KEYS = (
    "id",
    "name",
    "kind",
    "weight",
    "scale",
    "threshold",
    "method",
    "benchmark_price",
    "zero_score_price",
    "mode",
    "measures",
    "part",
    "children",
)
BID_KEYS = ("bidder", "price", "scores", "commitments")
PASS_WORDS = {
    "pass": True,
    "passed": True,
    "yes": True,
    "fail": False,
    "failed": False,
    "no": False,
}


class _Reader:
    """Collects problems while turning a document into model objects."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.hidden_prefixes: list[str] = []
        self.hidden_criteria: set[str] = set()
        self.weights_broken = False

    def problem(self, path: str, message: str, code: str = "invalid") -> None:
        self.problems.append(Problem(path, message, code))

    def mapping(self, value: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(path, "expected a mapping of keys to values", "wrong_type")
        return None

    def keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.problem(
                    where,
                    f"unknown key {key!r}; allowed keys are {', '.join(allowed)}",
                    "unknown_key",
                )

    def decimal(self, value: object, path: str) -> Decimal | None:
        if isinstance(value, bool) or value is None:
            self.problem(path, "expected a number", "not_a_number")
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int | float | str):
            text = str(value).strip().replace(",", "").replace("£", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number
        self.problem(path, f"expected a number, found {value!r}", "not_a_number")
        return None

    def text(self, value: object, path: str, *, required: bool = False) -> str:
        if value is None:
            if required:
                self.problem(path, "required", "missing")
            return ""
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value).strip()
        self.problem(path, "expected text", "wrong_type")
        return ""

    def choice(self, value: object, path: str, options: type[Any], default: Any) -> Any:
        if value is None:
            return default
        try:
            return options(str(value).strip())
        except ValueError:
            allowed = ", ".join(member.value for member in options)
            self.problem(path, f"unknown value {value!r}; use one of {allowed}", "unknown_value")
            return default

    def hidden(self, problem: Problem) -> bool:
        path = problem.path
        for prefix in self.hidden_prefixes:
            if path == prefix or path.startswith((prefix + ".", prefix + "[")):
                return True
        for criterion_id in self.hidden_criteria:
            if path.endswith((f".scores.{criterion_id}", f".commitments.{criterion_id}")):
                return True
        return problem.code == "weights_sum" and self.weights_broken


def _scale(reader: _Reader, value: object, path: str) -> Scale | None:
    if value is None:
        return None
    data = reader.mapping(value, path)
    if data is None:
        reader.hidden_prefixes.append(path)
        return None
    reader.keys(data, ("min", "max", "levels"), path)
    minimum = reader.decimal(data.get("min", 0), f"{path}.min")
    maximum = reader.decimal(data.get("max"), f"{path}.max")
    levels: list[ScaleLevel] = []
    raw_levels = data.get("levels") or []
    if not isinstance(raw_levels, list):
        reader.problem(f"{path}.levels", "expected a list of levels", "wrong_type")
        raw_levels = []
    for index, raw in enumerate(raw_levels):
        here = f"{path}.levels[{index}]"
        if isinstance(raw, Mapping):
            reader.keys(raw, ("value", "descriptor"), here)
            level_value = reader.decimal(raw.get("value"), f"{here}.value")
            descriptor = reader.text(raw.get("descriptor"), f"{here}.descriptor")
        else:
            level_value = reader.decimal(raw, here)
            descriptor = ""
        if level_value is not None:
            levels.append(ScaleLevel(level_value, descriptor))
    if minimum is None or maximum is None:
        reader.hidden_prefixes.append(path)
        return None
    return Scale(minimum, maximum, tuple(levels))


def _measures(reader: _Reader, value: object, path: str) -> tuple[ProxyMeasure, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.problem(path, "expected a list of measures", "wrong_type")
        return ()
    measures: list[ProxyMeasure] = []
    for index, raw in enumerate(value):
        here = f"{path}[{index}]"
        data = reader.mapping(raw, here)
        if data is None:
            continue
        reader.keys(data, ("id", "proxy_value", "unit", "source"), here)
        proxy = reader.decimal(data.get("proxy_value"), f"{here}.proxy_value")
        measures.append(
            ProxyMeasure(
                id=reader.text(data.get("id"), f"{here}.id", required=True),
                proxy_value=proxy if proxy is not None else Decimal(0),
                unit=reader.text(data.get("unit"), f"{here}.unit"),
                source=reader.text(data.get("source"), f"{here}.source"),
            )
        )
    return tuple(measures)


def _criterion(reader: _Reader, value: object, path: str) -> Criterion | None:
    data = reader.mapping(value, path)
    if data is None:
        reader.weights_broken = True
        return None
    reader.keys(data, CRITERION_KEYS, path)
    criterion_id = reader.text(data.get("id"), f"{path}.id", required=True)
    kind_text = data.get("kind")
    kind: CriterionKind | None
    if kind_text is None:
        reader.problem(
            f"{path}.kind", "required: price, quality, social_value or pass_fail", "missing"
        )
        kind = None
    else:
        kind = reader.choice(kind_text, f"{path}.kind", CriterionKind, None)
    if kind is None:
        reader.hidden_prefixes.append(path)
        reader.hidden_criteria.add(criterion_id)
        kind = CriterionKind.QUALITY
    default_weight: object = 0 if kind is CriterionKind.PASS_FAIL else None
    if kind is CriterionKind.PRICE and data.get("method") == PriceMethod.PRICE_PER_QUALITY_POINT:
        default_weight = 0
    raw_weight = data.get("weight", default_weight)
    if raw_weight is None:
        reader.problem(f"{path}.weight", "required", "missing")
        weight = None
    else:
        weight = reader.decimal(raw_weight, f"{path}.weight")
    if weight is None:
        reader.weights_broken = True
        weight = Decimal(0)
    method = None
    if kind is CriterionKind.PRICE:
        method = reader.choice(
            data.get("method"), f"{path}.method", PriceMethod, PriceMethod.RELATIVE_TO_LOWEST
        )
    elif data.get("method") is not None:
        reader.problem(f"{path}.method", "only a price criterion takes a method")
    mode = SocialValueMode.LEVELS
    if kind is CriterionKind.SOCIAL_VALUE:
        mode = reader.choice(data.get("mode"), f"{path}.mode", SocialValueMode, mode)
    elif data.get("mode") is not None:
        reader.problem(f"{path}.mode", "only a social value criterion takes a mode")

    def optional_decimal(key: str) -> Decimal | None:
        if data.get(key) is None:
            return None
        number = reader.decimal(data.get(key), f"{path}.{key}")
        if number is None:
            reader.hidden_prefixes.append(f"{path}.{key}")
        return number

    children: list[Criterion] = []
    raw_children = data.get("children") or []
    if not isinstance(raw_children, list):
        reader.problem(f"{path}.children", "expected a list of criteria", "wrong_type")
        raw_children = []
    for index, raw_child in enumerate(raw_children):
        child = _criterion(reader, raw_child, f"{path}.children[{index}]")
        if child is not None:
            children.append(child)
    return Criterion(
        id=criterion_id,
        kind=kind,
        weight=weight,
        name=reader.text(data.get("name"), f"{path}.name"),
        scale=_scale(reader, data.get("scale"), f"{path}.scale"),
        threshold=optional_decimal("threshold"),
        method=method,
        benchmark_price=optional_decimal("benchmark_price"),
        zero_score_price=optional_decimal("zero_score_price"),
        social_value_mode=mode,
        measures=_measures(reader, data.get("measures"), f"{path}.measures"),
        part=reader.text(data.get("part"), f"{path}.part"),
        children=tuple(children),
    )


def _score(reader: _Reader, value: object, path: str) -> Score | None:
    reason = ""
    if isinstance(value, Mapping):
        reader.keys(value, ("score", "reason"), path)
        reason = reader.text(value.get("reason"), f"{path}.reason")
        value = value.get("score")
    if isinstance(value, bool):
        return Score(value, reason)
    if isinstance(value, str) and value.strip().lower() in PASS_WORDS:
        return Score(PASS_WORDS[value.strip().lower()], reason)
    number = reader.decimal(value, path)
    if number is None:
        reader.hidden_prefixes.append(path)
        return None
    return Score(number, reason)


def _bid(reader: _Reader, value: object, path: str) -> Bid | None:
    data = reader.mapping(value, path)
    if data is None:
        return None
    reader.keys(data, BID_KEYS, path)
    price: Decimal | None = None
    if data.get("price") is not None:
        price = reader.decimal(data.get("price"), f"{path}.price")
        if price is None:
            reader.hidden_prefixes.append(f"{path}.price")
    scores: dict[str, Score] = {}
    raw_scores = data.get("scores") or {}
    scores_map = reader.mapping(raw_scores, f"{path}.scores") or {}
    for criterion_id, raw in scores_map.items():
        score = _score(reader, raw, f"{path}.scores.{criterion_id}")
        if score is not None:
            scores[str(criterion_id)] = score
    commitments: dict[str, Decimal | Mapping[str, Decimal]] = {}
    raw_commitments = data.get("commitments") or {}
    commitments_map = reader.mapping(raw_commitments, f"{path}.commitments") or {}
    for criterion_id, raw in commitments_map.items():
        here = f"{path}.commitments.{criterion_id}"
        if isinstance(raw, Mapping):
            quantities: dict[str, Decimal] = {}
            for measure_id, quantity in raw.items():
                number = reader.decimal(quantity, f"{here}.{measure_id}")
                if number is not None:
                    quantities[str(measure_id)] = number
            commitments[str(criterion_id)] = quantities
        else:
            amount = reader.decimal(raw, here)
            if amount is None:
                reader.hidden_prefixes.append(here)
            else:
                commitments[str(criterion_id)] = amount
    return Bid(
        bidder=reader.text(data.get("bidder"), f"{path}.bidder", required=True),
        price=price,
        scores=scores,
        commitments=commitments,
    )


def _settings(
    reader: _Reader, document: Mapping[str, Any]
) -> tuple[AbnormallyLowRule, Policy, SensitivitySettings]:
    def section(key: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        raw = document.get(key)
        if raw is None:
            return {}
        data = reader.mapping(raw, key)
        if data is None:
            return {}
        reader.keys(data, allowed, key)
        return data

    def number(data: Mapping[str, Any], key: str, section_name: str, default: Decimal) -> Decimal:
        if data.get(key) is None:
            return default
        value = reader.decimal(data[key], f"{section_name}.{key}")
        return value if value is not None else default

    low_data = section("abnormally_low", ("below_mean_of_others", "below_next_lowest"))
    defaults = AbnormallyLowRule()
    rule = AbnormallyLowRule(
        number(low_data, "below_mean_of_others", "abnormally_low", defaults.below_mean_of_others),
        number(low_data, "below_next_lowest", "abnormally_low", defaults.below_next_lowest),
    )
    policy_data = section("policy", ("social_value_minimum", "preset"))
    policy = Policy(
        number(policy_data, "social_value_minimum", "policy", Policy().social_value_minimum),
        reader.text(policy_data.get("preset"), "policy.preset").lower(),
    )
    sensitivity_data = section("sensitivity", ("samples", "concentration", "seed"))
    default_sensitivity = SensitivitySettings()

    def integer(key: str, default: int) -> int:
        value = sensitivity_data.get(key)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        reader.problem(f"sensitivity.{key}", "expected a whole number", "not_a_number")
        return default

    sensitivity = SensitivitySettings(
        samples=integer("samples", default_sensitivity.samples),
        concentration=number(
            sensitivity_data, "concentration", "sensitivity", default_sensitivity.concentration
        ),
        seed=integer("seed", default_sensitivity.seed),
    )
    return rule, policy, sensitivity


def parse_document(document: object, source: str = "") -> Tender:
    """Turn a YAML-shaped document into a checked :class:`Tender`.

    Raises
    ------
    EvaluationFileError
        Listing every problem found, each with its path; no tender is returned.
    """
    reader = _Reader()
    data = reader.mapping(document, "")
    if data is None:
        raise EvaluationFileError(tuple(reader.problems), source)
    reader.keys(data, TOP_KEYS, "")
    criteria: list[Criterion] = []
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list):
        reader.problem("criteria", "expected a list of criteria", "missing")
        raw_criteria = []
    for index, raw in enumerate(raw_criteria):
        criterion = _criterion(reader, raw, f"criteria[{index}]")
        if criterion is not None:
            criteria.append(criterion)
    bids: list[Bid] = []
    raw_bids = data.get("bids")
    if not isinstance(raw_bids, list):
        reader.problem("bids", "expected a list of bids", "missing")
        raw_bids = []
    for index, raw in enumerate(raw_bids):
        bid = _bid(reader, raw, f"bids[{index}]")
        if bid is not None:
            bids.append(bid)
    total_points = HUNDRED
    if data.get("total_points") is not None:
        parsed = reader.decimal(data.get("total_points"), "total_points")
        if parsed is None:
            reader.weights_broken = True
        else:
            total_points = parsed
    tie_break = DEFAULT_TIE_BREAK
    if data.get("tie_break") is not None:
        raw_rules = data["tie_break"]
        if isinstance(raw_rules, list) and all(isinstance(rule, str) for rule in raw_rules):
            tie_break = tuple(rule.strip() for rule in raw_rules)
        else:
            reader.problem("tie_break", "expected a list of rules", "wrong_type")
    rule, policy, sensitivity = _settings(reader, data)
    tender = Tender(
        criteria=tuple(criteria),
        bids=tuple(bids),
        currency=reader.text(data.get("currency", "GBP"), "currency") or "GBP",
        title=reader.text(data.get("title"), "title"),
        reference=reader.text(data.get("reference"), "reference"),
        total_points=total_points,
        tie_break=tie_break,
        abnormally_low=rule,
        policy=policy,
        sensitivity=sensitivity,
    )
    semantic = [problem for problem in validate_tender(tender) if not reader.hidden(problem)]
    problems = _in_file_order(reader.problems + semantic)
    if problems:
        raise EvaluationFileError(tuple(problems), source)
    return tender


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    order = {name: index for index, name in enumerate(TOP_KEYS)}

    def key(problem: Problem) -> tuple[int, int]:
        head = problem.path.split(".")[0].split("[")[0]
        index = 0
        if "[" in problem.path:
            digits = problem.path.split("[", 1)[1].split("]", 1)[0]
            index = int(digits) if digits.isdigit() else 0
        return order.get(head, -1), index

    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in sorted(problems, key=key):
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)
    return unique


def load_yaml(path: Path) -> Tender:
    """Read a tender evaluation YAML file.

    Raises
    ------
    EvaluationFileError
        When the file cannot be read or parsed, or has any problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise EvaluationFileError(
            [Problem("", f"cannot read the file: {error.strerror}", "unreadable")], str(path)
        ) from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise EvaluationFileError(
            [Problem(where, "this is not valid YAML; check the indentation", "not_yaml")],
            str(path),
        ) from error
    return parse_document(document, str(path))


def load(path: Path) -> Tender:
    """Read a tender from a ``.yaml``/``.yml`` file or an ``.xlsx`` template."""
    if path.suffix.lower() == ".xlsx":
        from socialvalue.evaluation.workbook import read_workbook

        return read_workbook(path)
    return load_yaml(path)


def _number(value: Decimal) -> str | int:
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    return format(value, "f")


def criterion_document(criterion: Criterion) -> dict[str, Any]:
    """A criterion as the mapping the YAML file holds."""
    data: dict[str, Any] = {"id": criterion.id, "kind": criterion.kind.value}
    if criterion.name:
        data["name"] = criterion.name
    data["weight"] = _number(criterion.weight)
    if criterion.method is not None:
        data["method"] = criterion.method.value
    optional: list[tuple[str, Decimal | None]] = [
        ("threshold", criterion.threshold),
        ("benchmark_price", criterion.benchmark_price),
        ("zero_score_price", criterion.zero_score_price),
    ]
    for key, value in optional:
        if value is not None:
            data[key] = _number(value)
    if criterion.scale is not None:
        scale: dict[str, Any] = {
            "min": _number(criterion.scale.minimum),
            "max": _number(criterion.scale.maximum),
        }
        if criterion.scale.levels:
            scale["levels"] = [
                {"value": _number(level.value), "descriptor": level.descriptor}
                for level in criterion.scale.levels
            ]
        data["scale"] = scale
    if criterion.kind is CriterionKind.SOCIAL_VALUE:
        data["mode"] = criterion.social_value_mode.value
    if criterion.measures:
        data["measures"] = [
            {
                "id": measure.id,
                "proxy_value": _number(measure.proxy_value),
                "unit": measure.unit,
                "source": measure.source,
            }
            for measure in criterion.measures
        ]
    if criterion.part:
        data["part"] = criterion.part
    if criterion.children:
        data["children"] = [criterion_document(child) for child in criterion.children]
    return data


def tender_document(tender: Tender) -> dict[str, Any]:
    """A tender as the mapping the YAML file holds (the inverse of :func:`parse_document`)."""

    def score_value(score: Score) -> Any:
        value: Any = (
            ("pass" if score.value else "fail")
            if isinstance(score.value, bool)
            else _number(score.value)
        )
        return {"score": value, "reason": score.reason} if score.reason else value

    def commitment_value(value: Decimal | Mapping[str, Decimal]) -> Any:
        if isinstance(value, Decimal):
            return format(value, "f")
        return {measure: _number(quantity) for measure, quantity in value.items()}

    bids: list[dict[str, Any]] = []
    for bid in tender.bids:
        entry: dict[str, Any] = {"bidder": bid.bidder}
        if bid.price is not None:
            entry["price"] = format(bid.price, "f")
        entry["scores"] = {key: score_value(score) for key, score in bid.scores.items()}
        if bid.commitments:
            entry["commitments"] = {
                key: commitment_value(value) for key, value in bid.commitments.items()
            }
        bids.append(entry)
    document: dict[str, Any] = {}
    if tender.title:
        document["title"] = tender.title
    if tender.reference:
        document["reference"] = tender.reference
    document["currency"] = tender.currency
    document["total_points"] = _number(tender.total_points)
    document["criteria"] = [criterion_document(criterion) for criterion in tender.criteria]
    document["bids"] = bids
    document["tie_break"] = list(tender.tie_break)
    document["abnormally_low"] = {
        "below_mean_of_others": _number(tender.abnormally_low.below_mean_of_others),
        "below_next_lowest": _number(tender.abnormally_low.below_next_lowest),
    }
    policy: dict[str, Any] = {"social_value_minimum": _number(tender.policy.social_value_minimum)}
    if tender.policy.preset:
        policy["preset"] = tender.policy.preset
    document["policy"] = policy
    document["sensitivity"] = {
        "samples": tender.sensitivity.samples,
        "concentration": _number(tender.sensitivity.concentration),
        "seed": tender.sensitivity.seed,
    }
    return document


def dump_yaml(tender: Tender) -> str:
    """The tender as YAML text that :func:`load_yaml` reads back to an equal tender."""
    return yaml.safe_dump(tender_document(tender), sort_keys=False, allow_unicode=True)
