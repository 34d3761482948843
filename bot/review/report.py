"""The review's HTML page: Jinja2 template, matplotlib charts embedded as PNG (no network needed)."""

from __future__ import annotations

import base64
import io
import math
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import jinja2

from bot.review.analysis import LOW_CONFIDENCE_THRESHOLD, Summary

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Japanese fonts in order of preference; the first one installed draws the charts' labels.
JAPANESE_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic",
                  "VL Gothic", "Source Han Sans JP", "Hiragino Sans", "Yu Gothic")
FONT_FILE_HINTS = ("NotoSansCJK", "NotoSansJP", "ipaexg", "ipag", "Takao", "VL-Gothic", "SourceHanSans")
BLUE, ORANGE, GREY = "#3465a4", "#e07b39", "#9aa5b1"


@dataclass
class Period:
    """What the report covers and where it came from."""

    since: datetime
    until: datetime
    store: str
    generated: datetime
    csv_name: Optional[str]


def environment() -> jinja2.Environment:
    """The template environment: HTML escaping on, since the report quotes what users typed."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def labels(env: jinja2.Environment) -> Any:
    """The report's words (templates/labels.j2) as a module: ``labels.chart["messages"]`` ..."""
    return env.get_template("labels.j2").module


def japanese_font() -> Optional[str]:
    """Makes matplotlib draw Japanese with an installed font and returns its name (None: none found).

    matplotlib's font cache may predate the fonts (`make browser-check` installs fonts-noto-cjk),
    so font files are also looked for directly and added.
    """
    from matplotlib import font_manager, rcParams

    known = {font.name for font in font_manager.fontManager.ttflist}
    if not known.intersection(JAPANESE_FONTS):
        for path in font_manager.findSystemFonts():
            if any(hint.lower() in Path(path).name.lower() for hint in FONT_FILE_HINTS):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        known = {font.name for font in font_manager.fontManager.ttflist}
    for name in JAPANESE_FONTS:
        if name in known:
            rcParams["font.family"] = [name, "DejaVu Sans"]
            return name
    return None


@dataclass(frozen=True)
class Chart:
    """A PNG as base64, and the width in CSS pixels at which its text has the size it was drawn at."""

    data: str
    width: int


# Drawn at twice the CSS pixel density, so that charts stay sharp on high-density screens.
DPI = 192
FULL, HALF = 10.0, 4.9  # chart widths in inches: a whole section, half of one


def _png(figure: Any) -> Chart:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(figure)
    png = buffer.getvalue()
    width = int.from_bytes(png[16:20], "big")  # the IHDR chunk's width
    return Chart(base64.b64encode(png).decode("ascii"), width // 2)


def _axes(width: float, height: float) -> Tuple[Any, Any]:
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(width, height))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x" if height > width / 2 else "y", color="#e3e7ec", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _bars(items: Sequence[Tuple[str, float]], color: str = BLUE, unit: str = "", width: float = HALF) -> Chart:
    """Horizontal bars, the largest on top, each with its value."""
    figure, axes = _axes(width, 0.3 * len(items) + 0.5)
    names = [name for name, _ in items][::-1]
    values: List[float] = [value for _, value in items][::-1]
    bars = axes.barh(names, values, color=color, height=0.62)
    axes.bar_label(bars, labels=[f"{value:,.0f}{unit}" for value in values], padding=3, fontsize=9)
    _whole_numbers(axes.xaxis)
    top = max(values, default=0.0)
    axes.set_xlim(0, top * 1.15 if top else 1)
    axes.tick_params(axis="y", length=0, labelsize=10)
    return _png(figure)


def _dates(axes: Any, days: Sequence[Any]) -> None:
    import matplotlib.dates as mdates

    axes.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, math.ceil(len(days) / 10))))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%m/%d"))
    if len(days) == 1:  # one bar would fill the whole width
        axes.set_xlim(days[0] - timedelta(days=1), days[0] + timedelta(days=1))


def volume_chart(summary: Summary, words: Mapping[str, str]) -> Chart:
    """Messages (bars) and conversations (line) per day."""
    days = list(summary.per_day)
    figure, axes = _axes(FULL, 3.0)
    axes.bar(days, [summary.per_day[d][1] for d in days], color=BLUE, alpha=0.85, label=words["messages"],
             width=0.8 if len(days) > 1 else 0.4)
    axes.plot(days, [summary.per_day[d][0] for d in days], color=ORANGE, marker="o", markersize=3,
              linewidth=1.6, label=words["conversations"])
    axes.set_ylabel(words["count"])
    _whole_numbers(axes.yaxis)
    _legend(axes)
    _dates(axes, days)
    return _png(figure)


def _whole_numbers(axis: Any) -> None:
    # Counts: no tick at 2.5 conversations.
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _legend(axes: Any) -> None:
    # Above the plot, where it never hides a bar or a point.
    axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, borderaxespad=0.2)


def speed_chart(summary: Summary, words: Mapping[str, str]) -> Chart:
    """p50 and p95 answer time per day."""
    days = [row[0] for row in summary.speed]
    figure, axes = _axes(FULL, 2.8)
    axes.plot(days, [row[2] for row in summary.speed], color=BLUE, marker="o", markersize=3, label=words["p50"])
    axes.plot(days, [row[3] for row in summary.speed], color=ORANGE, marker="o", markersize=3, label=words["p95"])
    axes.set_ylabel(words["milliseconds"])
    axes.set_ylim(bottom=0)
    _legend(axes)
    _dates(axes, days)
    return _png(figure)


def funnel_rows(summary: Summary, words: Mapping[str, str]) -> List[Tuple[str, int]]:
    """The diagnosis funnel's steps with the conversations that reached each."""
    funnel = summary.diagnosis
    if funnel is None:
        return []
    rows = [(words["started"], funnel.started)]
    rows += [(words["question"].format(n=k + 1), reached) for k, reached in enumerate(funnel.reached)]
    rows += [(words["finished"], funnel.finished), (words["asked_why"], funnel.asked_why),
             (words["asked_more"], funnel.asked_more)]
    return rows


def funnel_chart(rows: Sequence[Tuple[str, int]]) -> Chart:
    """The funnel as bars, in order from the top: started, questions, result, follow-ups."""
    figure, axes = _axes(FULL * 0.8, 0.3 * len(rows) + 0.5)
    names = [name for name, _ in rows][::-1]
    values = [value for _, value in rows][::-1]
    top = rows[0][1] or 1
    # From the bottom: the two follow-ups, the result, the questions, the start.
    colors = [GREY, GREY, ORANGE] + [BLUE] * (len(rows) - 3)
    bars = axes.barh(names, values, color=colors, height=0.62)
    axes.bar_label(bars, labels=[f"{v:,}（{v / top:.0%}）" for v in values], padding=3, fontsize=9)
    _whole_numbers(axes.xaxis)
    axes.set_xlim(0, top * 1.25)
    axes.tick_params(axis="y", length=0, labelsize=10)
    return _png(figure)


def result_items(summary: Summary, words: Mapping[str, str]) -> List[Tuple[str, int]]:
    """Result offices, most frequent first; close calls named with both offices."""
    if summary.diagnosis is None:
        return []
    items = []
    for key, count in summary.diagnosis.results.most_common():
        name = words["close_call"].format(offices=key[1]) if isinstance(key, tuple) else str(key)
        items.append((name, count))
    return items


def topic_items(summary: Summary, words: Mapping[str, str], names: Mapping[str, str],
                limit: int = 15) -> List[Tuple[str, int]]:
    """Roles, offices and uncovered jobs asked about, together, most frequent first."""
    items = [(words["role_prefix"] + names.get(value, value), count) for value, count in summary.roles]
    items += [(words["office_prefix"] + names.get(value, value), count) for value, count in summary.offices]
    items += [(words["other_job_prefix"] + value, count) for value, count in summary.other_jobs]
    return sorted(items, key=lambda item: -item[1])[:limit]


def render(summary: Summary, period: Period, names: Mapping[str, str], groups_shown: int = 50,
           low_confidence: float = LOW_CONFIDENCE_THRESHOLD) -> str:
    """The whole page as one HTML string, charts included."""
    env = environment()
    words = labels(env)
    charts: Dict[str, Chart] = {}
    topics = topic_items(summary, words.chart, names)
    funnel = funnel_rows(summary, words.chart)
    results = result_items(summary, words.chart)
    font = None
    if not summary.empty:
        import matplotlib

        matplotlib.use("Agg")
        font = japanese_font()
        if font is None:
            print("review: no Japanese font found (install fonts-noto-cjk); chart labels may show as boxes",
                  file=sys.stderr)
        charts["volume"] = volume_chart(summary, words.chart)
        if summary.channels:
            charts["channels"] = _bars([(words.channels.get(c, c), m) for c, _, m in summary.channels])
        if topics:
            charts["topics"] = _bars(topics)
        if summary.question_types:
            charts["questions"] = _bars([(words.intents.get(i, i), n) for i, n in summary.question_types])
        if summary.diagnosis is not None and summary.diagnosis.started:
            charts["funnel"] = funnel_chart(funnel)
        if results:
            charts["results"] = _bars(results, color=ORANGE)
        if summary.speed:
            charts["speed"] = speed_chart(summary, words.chart)
    return env.get_template("report.html.j2").render(
        s=summary, period=period, charts=charts, topics=topics, funnel=funnel, results=results,
        groups=summary.groups[:groups_shown], names=names, font=font, low_confidence=low_confidence,
    )
