"""Measured fairness for bias assessments (A.7.4, A.6.2.4): read a CSV of predictions (y_true, y_pred and
sensitive attribute columns), refuse every malformed file with a message that names the problem, and
compute per-group rates, demographic parity and equalized odds with fairlearn."""

import csv
import io
from collections import Counter
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


def _r(value):
    """Rounded for storage and display; NaN (a rate with nothing to count) becomes None."""
    value = float(value)
    return None if value != value else round(value, 4)


def _analyse(y_true, y_pred, groups, name: str, decides: bool) -> dict:
    """fairlearn's per-group rates and the between-group gaps for one attribute (or a combination)."""
    import pandas as pd  # heavy: only when a file is measured
    from fairlearn import metrics as fm

    by = pd.Series(groups, name=name)
    frame = fm.MetricFrame(
        metrics={"selection_rate": fm.selection_rate, "tpr": fm.true_positive_rate,
                 "fpr": fm.false_positive_rate, "count": fm.count},
        y_true=y_true, y_pred=y_pred, sensitive_features=by,
    )  # fmt: skip
    totals, positive_counts = Counter(groups), Counter(g for g, t in zip(groups, y_true, strict=True) if t)
    rows = []
    for group, values in frame.by_group.iterrows():
        positives = positive_counts[group]
        # fairlearn reports 0 where a group has no actual positives (or negatives); that is "unknown".
        rows.append({
            "group": str(group), "count": int(values["count"]), "positives": positives,
            "selection_rate": _r(values["selection_rate"]),
            "tpr": _r(values["tpr"]) if positives else None,
            "fpr": _r(values["fpr"]) if positives < totals[group] else None,
        })  # fmt: skip
    undefined = [r for r in rows if r["tpr"] is None or r["fpr"] is None]
    if undefined and decides:
        group = undefined[0]
        lacking = "actual positives (y_true = 1)" if group["tpr"] is None else "actual negatives (y_true = 0)"
        _fail(
            f"In {name}, group {group['group']!r} has no {lacking}, so its "
            f"{'true' if group['tpr'] is None else 'false'} positive rate and the equalized odds difference "
            "cannot be measured. Add rows with both outcomes for every group, or merge small groups."
        )
    ratio = fm.demographic_parity_ratio(y_true, y_pred, sensitive_features=by)
    if all(r["selection_rate"] == 0 for r in rows):
        ratio = 1.0  # nobody selected in any group: the groups are treated alike (fairlearn: 0/0)
    return {
        "attribute": name,
        "decides": decides,
        "groups": rows,
        "dp_difference": _r(fm.demographic_parity_difference(y_true, y_pred, sensitive_features=by)),
        "dp_ratio": _r(ratio),
        "eo_difference": None
        if undefined
        else _r(fm.equalized_odds_difference(y_true, y_pred, sensitive_features=by)),
    }


def measure(upload, sensitive_columns: str = "") -> dict:
    """The fairness results of an uploaded CSV, or a ValidationError naming what is wrong with the file.
    Each sensitive column decides the verdict on its own; with two or more, their combination is shown
    too (intersectional, A.6.2.4), but small combined groups make those rates noisy, so it does not decide."""
    import fairlearn

    header, rows, sensitive = _read(upload, sensitive_columns)
    labels = _labels(header, rows)
    columns = {name: [row[header.index(name)].strip() or "(empty)" for row in rows] for name in sensitive}
    for name, values in columns.items():
        seen = sorted(set(values))
        if len(seen) < 2:
            _fail(
                f"Column {name} has one group only ({seen[0]!r}); fairness compares groups, so it needs two or more."
            )
    analyses = [_analyse(labels["y_true"], labels["y_pred"], v, n, True) for n, v in columns.items()]
    if len(columns) > 1:
        combined = [" × ".join(parts) for parts in zip(*columns.values(), strict=True)]
        analyses.append(_analyse(labels["y_true"], labels["y_pred"], combined, " × ".join(columns), False))
    deciding = [a for a in analyses if a["decides"]]
    return {
        "rows": len(rows),
        "sensitive_columns": sensitive,
        "analyses": analyses,
        "worst_ratio": min(a["dp_ratio"] for a in deciding),
        "worst_difference": max(a["eo_difference"] for a in deciding),
        "fairlearn": fairlearn.__version__,
    }


def verdict(results: dict, ratio_threshold, difference_threshold) -> bool | None:
    """Passed: the lowest demographic parity ratio is at least the ratio threshold and the largest
    equalized odds difference at most the difference threshold. None when nothing was measured."""
    if not results:
        return None
    return results["worst_ratio"] >= float(ratio_threshold) and results["worst_difference"] <= float(
        difference_threshold
    )
