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
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from aims.files import validate_upload

MAX_ROWS = 200_000  # a sample this size gives stable rates; more only slows the request
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


def _read(upload, named: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and the sensitive columns; every problem with the file's shape is named."""
    raw = upload.read()
    upload.seek(0)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.")
    if not text.strip():
        _fail(EMPTY)
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader)]
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
    sensitive = wanted or [n for n in header if n not in LABELS]
    if not sensitive or set(sensitive) & set(LABELS):
        _fail(
            "Name at least one sensitive attribute column besides y_true and y_pred (e.g. gender, age_band)."
        )
    rows = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # a blank line, often the last one
        if len(rows) == MAX_ROWS:
            _fail(f"The file has more than {MAX_ROWS:,} rows. Upload a sample of at most {MAX_ROWS:,}.")
        if len(row) != len(header):
            _fail(f"Line {reader.line_num} has {len(row)} values; the header names {len(header)} columns.")
        rows.append(row)
    if not rows:
        _fail("The file has a header but no rows of predictions.")
    return header, rows, sensitive


def _labels(header, rows) -> dict[str, list[int]]:
    """y_true and y_pred as 0/1; the first bad value is named with its line (line 1 is the header)."""
    out = {}
    for name in LABELS:
        i, values = header.index(name), []
        for line, row in enumerate(rows, start=2):
            cell = row[i].strip()
            try:
                number = float(cell)
            except ValueError:
                _fail(f"Line {line}: {name} is '{cell[:30]}', not a number. Labels must be 0 or 1.")
            if number not in (0, 1):
                _fail(f"Line {line}: {name} is {cell}; labels must be binary, 0 or 1.")
            values.append(int(number))
        out[name] = values
    return out


def _float(value: Fraction | None) -> float | None:
    """Stored at full double precision, for the API and charts; the verdict reads the counts."""
    return None if value is None else float(value)


def _groups(y_true, y_pred, groups) -> list[dict]:
    """Per group, sorted by name: rows, actual favourable outcomes (`positives`), predicted favourable
    (`selected`), both (`true_positives`) and predicted favourable where the actual was not."""
    tally: dict[str, list[int]] = {}
    for actual, predicted, group in zip(y_true, y_pred, groups, strict=True):
        counts = tally.setdefault(group, [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += actual
        counts[2] += predicted
        counts[3] += actual and predicted
        counts[4] += predicted and not actual
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


def _analyse(y_true, y_pred, groups, name: str, decides: bool) -> dict:
    """Per-group rates and the between-group gaps for one attribute (or a combination)."""
    rows = _groups(y_true, y_pred, groups)
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
    header, rows, sensitive = _read(upload, sensitive_columns)
    labels = _labels(header, rows)
    if favourable not in labels["y_pred"]:
        raise ValidationError(
            {"favourable_outcome": f"No row of the file predicts {favourable}, the favourable outcome: "
                                   f"y_pred is {1 - favourable} throughout. Check which predicted value is "
                                   "favourable, or upload predictions in which it occurs."}
        )  # fmt: skip
    # Recoded so that 1 is the favourable outcome, actual and predicted (fairlearn's pos_label).
    y_true = [int(v == favourable) for v in labels["y_true"]]
    y_pred = [int(v == favourable) for v in labels["y_pred"]]
    columns = {name: [row[header.index(name)].strip() or "(empty)" for row in rows] for name in sensitive}
    for name, values in columns.items():
        seen = sorted(set(values))
        if len(seen) < 2:
            _fail(
                f"Column {name} has one group only ({seen[0]!r}); fairness compares groups, so it needs two or more."
            )
    analyses = [_analyse(y_true, y_pred, v, n, True) for n, v in columns.items()]
    if len(columns) > 1:
        combined = [" × ".join(parts) for parts in zip(*columns.values(), strict=True)]
        analyses.append(_analyse(y_true, y_pred, combined, " × ".join(columns), False))
    results = {
        "rows": len(rows),
        "sensitive_columns": sensitive,
        "favourable": favourable,
        "analyses": analyses,
    }
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
