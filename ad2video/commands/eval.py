"""`ad2video eval`: metrics for every video of a run or batch folder, and an HTML report."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


def _table(results: list[dict[str, Any]]) -> Table:
    table = Table(box=None, header_style="bold")
    for col in ("video", "status", "duration", "LUFS", "peak", "unsupported", "sync",
                "issues"):
        table.add_column(col)
    for r in results:
        m = r.get("metrics") or {}
        if r["status"] != "ok":
            table.add_row(r["name"], r["status"], "", "", "", "", "", "1")
            continue
        sync = m["sync_score"]
        table.add_row(r["name"], "ok", f"{m['duration_s'] or 0:.1f} s", str(m["loudness_lufs"]),
                      str(m["true_peak_db"]), str(m["claims_unsupported"]),
                      "n/a" if sync is None else f"{sync:.0%}", str(len(r["issues"])))
    return table


def eval_command(
    run_dir: Annotated[Path, typer.Argument(help="A batch folder (summary.json) or one run "
                                            "folder (manifest.json).")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="The HTML report; eval.json "
                                             "is written beside it \\[default: RUN_DIR/"
                                             "report.html].")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="Also ask this LLM provider to "
                                              "judge each script (needs ad2video.llm).")
                     ] = None,
    llm_config: Annotated[str | None, typer.Option("--llm-config", help="LLM config file for "
                                                   "--judge.")] = None,
    webm: Annotated[bool, typer.Option("--webm", help="Also write small VP9 WebM previews "
                                       "beside the report, for browsers that cannot play "
                                       "H.264.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Videos analysed at once.")
                    ] = max(1, min(4, os.cpu_count() or 1)),
    ffmpeg: Annotated[str | None, typer.Option("--ffmpeg", envvar="AD2VIDEO_FFMPEG",
                                               help="ffmpeg binary to use.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the report path.")
                     ] = False,
) -> None:
    """Measure every video (claims, banned phrases, price, facts used, sync, loudness, true
    peak, black/frozen frames, caption coverage) and write an HTML report for raters.

    Examples:

      ad2video eval out/batch

      ad2video eval out/batch --judge openai -o review/report.html --webm
    """
    from ad2video.evaluate.judge import make_judge
    from ad2video.evaluate.report import make_preview, write_report
    from ad2video.evaluate.run import evaluate_all
    from ad2video.fsutil import write_text

    err = Console(stderr=True, highlight=False)
    target = (out or run_dir / "report.html").resolve()
    judge_fn, note = make_judge(judge, llm_config)
    with err.status("evaluating", spinner="dots") if err.is_terminal and not quiet else _null():
        results = evaluate_all(run_dir, ffmpeg, judge_fn, jobs)
        previews = {}
        if webm:
            for r in results:
                if r["status"] == "ok":
                    previews[r["name"]] = make_preview(
                        Path(r["video"]), target.parent / "previews" / f"{r['name']}.webm", ffmpeg)
    write_text(target.with_name("eval.json"),
               json.dumps({"source": str(run_dir.resolve()), "judge": note, "runs": results},
                          indent=2, ensure_ascii=False) + "\n")
    write_report(results, run_dir, target, note, previews)
    if not quiet:
        err.print(_table(results))
        for r in results:
            if r["status"] != "ok":
                err.print(f"{r['name']}: {r['status']}: {r.get('reason', '')}", soft_wrap=True)
        if judge:
            err.print(note)
    typer.echo(str(target))


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)
