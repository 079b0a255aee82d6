"""Measured fairness for bias assessments (A.7.4, A.6.2.4): read a CSV of predictions (y_true, y_pred and
sensitive attribute columns), refuse every malformed file with a message that names the problem, and
compute per-group rates, demographic parity and equalized odds by fairlearn's definitions.

The figures are computed exactly, as fractions of the counts kept with the results, and the verdict
compares those with the thresholds: a ratio of 0.79996 fails a 0.8 threshold even though it rounds to
0.8, and a difference of exactly 0.2 passes a 0.2 threshold though floating point makes it
0.20000000000000007. Rounding is for display only, and never so far that the figure shown contradicts
the verdict (`shown`).

Rates count the favourable outcome, which the assessment names: predicted 1 for a loan approved or a
candidate shortlisted, predicted 0 for a fraud flag or a rejection. The four-fifths rule compares the
rates at which groups receive the favourable outcome (fairlearn's `pos_label`)."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from aims.files import validate_upload

MAX_ROWS = 200_000  # a sample this size gives stable rates; more only slows the request
# Groups per sensitive column (and combinations shown): rates of thousands of tiny groups are noise, and
# every group is a row on the page, in the history and in the API answer.
MAX_GROUPS = 100
LABELS = ("y_true", "y_pred")
EMPTY = "The file is empty: it needs a header line (y_true, y_pred and a sensitive column) and rows."


def _fail(message: str):
    raise ValidationError({"file": message})


def check_csv_type(upload) -> None:
    """Form-side check: a CSV, within the size limit, and text."""
    ext = PurePosixPath(upload.name).suffix.lower()
    if ext != ".csv":
        raise ValidationError(
            f"The fairness check reads a CSV file; '{PurePosixPath(upload.name).name}' is a "
            f"{ext or 'file without extension'}. Save the predictions as CSV (UTF-8) and upload that."
        )
    validate_upload(upload)


def _rows(upload):
    """(line, cells) of the CSV, read a row at a time; every way it cannot be read is named, with its line."""
    stream = getattr(upload, "file", None) or upload
    stream.seek(0)
    if not stream.read(4096).strip():
        _fail(EMPTY)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                _fail("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.")
            except csv.Error as exc:
                line = reader.line_num  # counts the line it failed in
                if "field larger than field limit" in str(exc):
                    _fail(f"Line {line} cannot be read: a value is longer than {csv.field_size_limit():,} "
                          "characters. Each value is a label (0 or 1) or a group's name.")  # fmt: skip
                _fail(f"Line {line} cannot be read as CSV: {exc}.")
            yield reader.line_num, row
    finally:
        text.detach().seek(0)  # the upload stays open and rewound: it is stored (and hashed) afterwards


def _header(header: list[str], named: str) -> list[str]:
    """The sensitive columns, once the header is known to name the labels and them; else why not."""
    if len(header) == 1 and ";" in header[0]:
        _fail(
            "The columns are separated by semicolons; the fairness check reads commas. Export as CSV again."
        )
    if len(set(header)) != len(header):
        twice = sorted({n for n in header if header.count(n) > 1})
        _fail(f"Column names must be unique; named more than once: {', '.join(twice)}.")
    missing = [name for name in LABELS if name not in header]
    if missing:
        _fail(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. The first line must name "
            "y_true, y_pred and at least one sensitive attribute column (e.g. gender)."
        )
    wanted = [n.strip() for n in (named or "").split(",") if n.strip()]
    unknown = [n for n in wanted if n not in header]
    if unknown:
        _fail(f"Sensitive column{'s' if len(unknown) > 1 else ''} not in the file: {', '.join(unknown)}. "
              f"The file's columns are: {', '.join(header)}.")  # fmt: skip
    sensitive = list(dict.fromkeys(wanted)) or [n for n in header if n not in LABELS]
    if not sensitive or set(sensitive) & set(LABELS):
        _fail(
            "Name at least one sensitive attribute column besides y_true and y_pred (e.g. gender, age_band)."
        )
    return sensitive


def _label(cell: str, name: str, line: int) -> int:
    cell = cell.strip()
    try:
        number = float(cell)
    except ValueError:
        _fail(f"Line {line}: {name} is '{cell[:30]}', not a number. Labels must be 0 or 1.")
    if number not in (0, 1):
        _fail(f"Line {line}: {name} is {cell[:30]}; labels must be binary, 0 or 1.")
    return int(number)


@dataclass
class _Tally:
    """Counts per group of each sensitive column (and of their combination), kept as the file is read:
    memory grows with the number of groups, which is capped, never with the number of rows."""

    columns: list[str]
    favourable: int
    rows: int = 0
    predicted: set = field(default_factory=set)
    per_column: dict = field(default_factory=dict)
    combined: dict | None = field(default_factory=dict)  # None once it has more than MAX_GROUPS groups

    def add(self, line: int, actual: int, predicted: int, groups: list[str]) -> None:
        if self.rows == MAX_ROWS:
            _fail(f"The file has more than {MAX_ROWS:,} rows. Upload a sample of at most {MAX_ROWS:,}.")
        self.rows += 1
        self.predicted.add(predicted)
        # Recoded so that 1 is the favourable outcome, actual and predicted (fairlearn's pos_label).
        actual, predicted = int(actual == self.favourable), int(predicted == self.favourable)
        for name, group in zip(self.columns, groups, strict=True):
            tally = self.per_column.setdefault(name, {})
            if group not in tally and len(tally) == MAX_GROUPS:
                _fail(f"Line {line}: column {name} has more than {MAX_GROUPS} groups; fairness rates need "
                      "enough rows in each group to mean anything. Merge small groups (e.g. into bands) or "
                      "leave the column out of the sensitive columns.")  # fmt: skip
            _count(tally, group, actual, predicted)
        if self.combined is not None and len(groups) > 1:
            key = " × ".join(groups)
            if key not in self.combined and len(self.combined) == MAX_GROUPS:
                self.combined = None  # too many combinations to compare: shown per column only
            else:
                _count(self.combined, key, actual, predicted)


def _count(tally: dict, group: str, actual: int, predicted: int) -> None:
    counts = tally.setdefault(group, [0, 0, 0, 0, 0])
    counts[0] += 1
    counts[1] += actual
    counts[2] += predicted
    counts[3] += actual and predicted
    counts[4] += predicted and not actual


def _read(upload, named: str, favourable: int) -> _Tally:
    """The file's counts per group; every problem with its shape or values is named, with its line."""
    rows = _rows(upload)
    first = next(rows, None)
    if first is None:
        _fail(EMPTY)
    header = [name.strip() for name in first[1]]
    sensitive = _header(header, named)
    where = {name: header.index(name) for name in (*LABELS, *sensitive)}
    tally = _Tally(sensitive, favourable)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, often the last one
        if len(row) != len(header):
            _fail(f"Line {line} has {len(row)} values; the header names {len(header)} columns.")
        actual = _label(row[where["y_true"]], "y_true", line)
        predicted = _label(row[where["y_pred"]], "y_pred", line)
        tally.add(line, actual, predicted, [row[where[n]].strip() or "(empty)" for n in sensitive])
    if not tally.rows:
        _fail("The file has a header but no rows of predictions.")
    return tally


def _float(value: Fraction | None) -> float | None:
    """Stored at full double precision, for the API and charts; the verdict reads the counts."""
    return None if value is None else float(value)


def _groups(tally: dict) -> list[dict]:
    """Per group, sorted by name: rows, actual favourable outcomes (`positives`), predicted favourable
    (`selected`), both (`true_positives`) and predicted favourable where the actual was not."""
    keys = ("count", "positives", "selected", "true_positives", "false_positives")
    rows = [{"group": str(group), **dict(zip(keys, tally[group], strict=True))} for group in sorted(tally)]
    for row in rows:
        rates = rates_of(row)
        row.update({name: _float(rates[name]) for name in ("selection_rate", "tpr", "fpr")})
    return rows


def rates_of(group: dict) -> dict[str, Fraction | None]:
    """A group's selection, true positive and false positive rates, exactly; None where a rate has
    nothing to count (no actual positives, or no actual negatives)."""
    negatives = group["count"] - group["positives"]
    return {
        "selection_rate": Fraction(group["selected"], group["count"]),
        "tpr": Fraction(group["true_positives"], group["positives"]) if group["positives"] else None,
        "fpr": Fraction(group["false_positives"], negatives) if negatives else None,
    }


GAPS = ("dp_difference", "dp_ratio", "eo_difference")


def figures(analysis: dict) -> dict[str, Fraction | None]:
    """One analysis's between-group gaps, exactly, by fairlearn's definitions (fairlearn.metrics):
    demographic_parity_difference = largest minus smallest selection rate, demographic_parity_ratio =
    smallest over largest, equalized_odds_difference = the larger of the spreads of the true and the
    false positive rates (its default "worst_case"); None when a group's rate cannot be measured."""
    groups = analysis["groups"]
    if "selected" not in groups[0]:
        # Measured before the counts were kept: the figures as stored then (4 decimal places).
        return {name: None if analysis[name] is None else Fraction(str(analysis[name])) for name in GAPS}
    rates = [rates_of(g) for g in groups]
    selection = [r["selection_rate"] for r in rates]
    tprs, fprs = [r["tpr"] for r in rates], [r["fpr"] for r in rates]
    defined = None not in tprs and None not in fprs
    return {
        "dp_difference": max(selection) - min(selection),
        # measure() refuses a file in which nobody receives the favourable outcome: the largest is > 0
        "dp_ratio": min(selection) / max(selection),
        "eo_difference": max(max(tprs) - min(tprs), max(fprs) - min(fprs)) if defined else None,
    }


def worst(results: dict) -> tuple[Fraction, Fraction]:
    """The lowest demographic parity ratio and the largest equalized odds difference of the analyses
    that decide (each sensitive column on its own), exactly."""
    deciding = [figures(a) for a in results["analyses"] if a["decides"]]
    return min(f["dp_ratio"] for f in deciding), max(f["eo_difference"] for f in deciding)


def _analyse(tally: dict, name: str, decides: bool) -> dict:
    """Per-group rates and the between-group gaps for one attribute (or a combination)."""
    rows = _groups(tally)
    undefined = [r for r in rows if r["tpr"] is None or r["fpr"] is None]
    if undefined and decides:
        group = undefined[0]
        lacking = (
            "actual positives (rows whose y_true is the favourable outcome)"
            if group["tpr"] is None
            else "actual negatives (rows whose y_true is not the favourable outcome)"
        )
        _fail(
            f"In {name}, group {group['group']!r} has no {lacking}, so its "
            f"{'true' if group['tpr'] is None else 'false'} positive rate and the equalized odds difference "
            "cannot be measured. Add rows with both outcomes for every group, or merge small groups."
        )
    analysis = {"attribute": name, "decides": decides, "groups": rows}
    return {**analysis, **{k: _float(v) for k, v in figures(analysis).items()}}


def clean_favourable(value) -> int:
    """The predicted value that is the favourable outcome: one of the binary labels, 0 or 1."""
    text = str(value).strip() if value is not None else ""
    if text not in ("0", "1"):
        raise ValidationError(
            {"favourable_outcome": f"The favourable outcome is one of the predicted values, 0 or 1 "
                                   f"(y_pred is binary); {text or 'nothing'!r} is neither."}
        )  # fmt: skip
    return int(text)


def measure(upload, sensitive_columns: str = "", favourable: int = 1) -> dict:
    """The fairness results of an uploaded CSV, or a ValidationError naming what is wrong with the file.
    Each sensitive column decides the verdict on its own; with two or more, their combination is shown
    too (intersectional, A.6.2.4), but small combined groups make those rates noisy, so it does not decide.
    `favourable` is the predicted value that is the favourable outcome: rates count it."""
    favourable = clean_favourable(favourable)
    tally = _read(upload, sensitive_columns, favourable)
    if favourable not in tally.predicted:
        raise ValidationError(
            {"favourable_outcome": f"No row of the file predicts {favourable}, the favourable outcome: "
                                   f"y_pred is {1 - favourable} throughout. Check which predicted value is "
                                   "favourable, or upload predictions in which it occurs."}
        )  # fmt: skip
    for name, groups in tally.per_column.items():
        if len(groups) < 2:
            _fail(
                f"Column {name} has one group only ({next(iter(groups))!r}); fairness compares groups, so it needs two or more."
            )
    analyses = [_analyse(groups, name, True) for name, groups in tally.per_column.items()]
    if tally.combined and len(tally.columns) > 1:
        analyses.append(_analyse(tally.combined, " × ".join(tally.columns), False))
    results = {
        "rows": tally.rows,
        "sensitive_columns": tally.columns,
        "favourable": favourable,
        "analyses": analyses,
    }
    if tally.combined is None:
        results["note"] = (
            f"The combination of {' and '.join(tally.columns)} is not shown: it makes more than "
            f"{MAX_GROUPS} groups, too small each for their rates to mean anything."
        )
    ratio, difference = worst(results)
    return {**results, "worst_ratio": float(ratio), "worst_difference": float(difference)}


def verdict(results: dict, ratio_threshold, difference_threshold) -> bool | None:
    """Passed: the lowest demographic parity ratio is at least the ratio threshold and the largest
    equalized odds difference at most the difference threshold, compared exactly (never rounded
    first). None when nothing was measured."""
    if not results:
        return None
    ratio, difference = worst(results)
    return ratio >= Fraction(str(ratio_threshold)) and difference <= Fraction(str(difference_threshold))


# -- display -------------------------------------------------------------------------------------------
def _places(value: Fraction, places: int) -> str:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(exact.quantize(Decimal(1).scaleb(-places)).normalize(), "f")
    return text if "." in text else f"{text}.0"


def shown(value, threshold=None, *, at_least: bool = True) -> str:
    """A figure to 4 decimal places, or as many more as it takes to fall on the same side of
    `threshold` as the exact value (passing at or above it when `at_least`, else at or below): a ratio
    of 0.79996 against 0.8 shows as 0.79996, never as 0.8."""
    if value is None:
        return "n/a"
    value = value if isinstance(value, Fraction) else Fraction(str(value))
    if threshold is None:
        return _places(value, 4)
    limit = Fraction(str(threshold))

    def meets(x):
        return x >= limit if at_least else x <= limit

    for places in range(4, 16):
        text = _places(value, places)
        if meets(Fraction(text)) == meets(value):
            return text
    return f"{value.numerator}/{value.denominator}"  # pragma: no cover - counts give coarser fractions


def display(results: dict, ratio_threshold, difference_threshold) -> dict:
    """The results as the page, the list and the risk show them: every figure rounded by `shown`, ratios
    and odds differences against the assessment's thresholds."""
    if not results:
        return {}
    ratio, difference = worst(results)
    analyses = []
    for analysis in results["analyses"]:
        exact = figures(analysis)
        groups = [
            {**g, **{k: shown(g[k]) for k in ("selection_rate", "tpr", "fpr")}} for g in analysis["groups"]
        ]
        analyses.append({
            **analysis, "groups": groups, "dp_difference": shown(exact["dp_difference"]),
            "dp_ratio": shown(exact["dp_ratio"], ratio_threshold),
            "eo_difference": shown(exact["eo_difference"], difference_threshold, at_least=False),
        })  # fmt: skip
    return {
        **results,
        "analyses": analyses,
        "worst_ratio": shown(ratio, ratio_threshold),
        "worst_difference": shown(difference, difference_threshold, at_least=False),
    }
