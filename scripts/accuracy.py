#!/usr/bin/env python3
"""Compare `squarely audit` with the reviews of the accuracy corpus.

The corpus is a list of public repositories, each reviewed item by item by docs/scoring.md
(tests/accuracy/reviews/<owner>+<name>.yaml). This script audits a folder holding a
snapshot of each (one folder per repository, named `<owner>+<name>`, at the reviewed
commit), prints the comparison, and with --write rewrites the table in docs/accuracy.md.

    scripts/accuracy.py --corpus ~/corpus                # the table and the summary
    scripts/accuracy.py --corpus ~/corpus --items        # every item that differs
    scripts/accuracy.py --corpus ~/corpus --write        # also update docs/accuracy.md
    scripts/accuracy.py --clone-commands                 # how to get the snapshots

It needs Python 3.9+ and PyYAML (`pip install pyyaml`), and a squarely binary (default:
target/release/squarely, else `squarely` on PATH). It runs nothing from the snapshots and
needs no network: CI keeps the distilled fixtures, this runs on demand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

try:
    import yaml
except ImportError:  # pragma: no cover - a message, not a crash
    sys.exit("scripts/accuracy.py needs PyYAML: pip install pyyaml")

ROOT = Path(__file__).resolve().parent.parent
REVIEWS = ROOT / "tests" / "accuracy" / "reviews"
DOC = ROOT / "docs" / "accuracy.md"
BEGIN = "<!-- accuracy:begin (scripts/accuracy.py --write) -->"
END = "<!-- accuracy:end -->"
ITEMS = [
    "root.essential_only", "root.docs", "root.config", "root.docker", "root.gitignore",
    "src.domains", "src.layers", "src.separation", "src.shared", "src.migrations",
    "docs.hierarchy", "docs.api", "docs.architecture", "docs.db_schema", "docs.deployment",
    "infra.scripts", "infra.tests", "infra.jobs", "infra.migrations_seeds", "infra.ci",
]


def load_reviews(only: list[str]) -> list[dict]:
    reviews = []
    for path in sorted(REVIEWS.glob("*.yaml")):
        review = yaml.safe_load(path.read_text())
        review["file"] = path.stem
        if only and path.stem not in only and review["repo"] not in only:
            continue
        if review.get("kind") == "backend":
            missing = [i for i in ITEMS if i not in (review.get("items") or {})]
            if missing:
                sys.exit(f"{path}: items missing: {', '.join(missing)}")
            review["total"] = round(sum(v[0] for v in review["items"].values()), 2)
        reviews.append(review)
    return reviews


def find_binary(given: str | None) -> str:
    if given:
        return given
    built = ROOT / "target" / "release" / "squarely"
    if built.exists():
        return str(built)
    found = shutil.which("squarely")
    if not found:
        sys.exit("no squarely binary: build it (cargo build --release) or pass --squarely BIN")
    return found


def audit(binary: str, folder: Path) -> dict:
    run = subprocess.run(
        [binary, "audit", str(folder), "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    if run.returncode not in (0, 1):
        sys.exit(f"squarely failed on {folder} (exit {run.returncode}): {run.stderr.strip()}")
    return json.loads(run.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="folder of snapshots named <owner>+<name>")
    parser.add_argument("--squarely", help="the squarely binary to run")
    parser.add_argument("--items", action="store_true", help="list every item that differs")
    parser.add_argument("--write", action="store_true", help="rewrite the table in docs/accuracy.md")
    parser.add_argument("--clone-commands", action="store_true",
                        help="print the git commands that fetch the snapshots, and stop")
    parser.add_argument("only", nargs="*", help="only these repositories (owner/name or owner+name)")
    args = parser.parse_args()

    reviews = load_reviews(args.only)
    if args.clone_commands:
        for r in reviews:
            print(f"git clone --quiet https://github.com/{r['repo']} {r['file']} && "
                  f"git -C {r['file']} checkout --quiet {r['commit']}")
        return
    if not args.corpus:
        parser.error("--corpus DIR is required (see --clone-commands)")
    binary = find_binary(args.squarely)

    rows, item_diffs, detection_misses = [], {i: [] for i in ITEMS}, []
    for review in reviews:
        folder = args.corpus / review["file"]
        if not folder.is_dir():
            sys.exit(f"{folder}: no snapshot (see --clone-commands)")
        report = audit(binary, folder)
        kind = report["detection"]["kind"]
        if review.get("kind") != "backend":
            ok = kind != "backend"
            rows.append((review, None, report, kind, ok))
            if not ok:
                detection_misses.append(review["repo"])
            continue
        checks = {c["id"]: c for c in report["checks"]}
        for item in ITEMS:
            ours = checks[item]["score"]
            theirs = review["items"][item][0]
            item_diffs[item].append((review["repo"], ours - theirs, ours, theirs,
                                     review["items"][item][1], checks[item]["summary"],
                                     review.get("round", 1)))
        rows.append((review, report["score"], report, kind, kind == "backend"))

    summaries = [("all backends", summarise(rows, item_diffs, None))]
    for round_ in sorted({r[0].get("round", 1) for r in rows}):
        summaries.append((f"round {round_}", summarise(rows, item_diffs, round_)))
    others = [(r[0]["repo"], r[0]["kind"], r[3]) for r in rows if r[1] is None]
    table = render(rows, item_diffs, summaries, others)
    print(table)
    if args.items:
        print("\nItems that differ (squarely - review):")
        for item in ITEMS:
            off = [d for d in item_diffs[item] if abs(d[1]) >= 0.01]
            if not off:
                continue
            mean = statistics.fmean(d[1] for d in item_diffs[item])
            print(f"\n{item}  (mean {mean:+.2f}, {len(off)} differ)")
            for repo, d, ours, theirs, why, summary_text, _ in sorted(off, key=lambda x: x[1]):
                print(f"  {d:+6.2f}  {repo}: squarely {ours:g} ({summary_text}) / review {theirs:g} ({why})")
    if args.write:
        text = DOC.read_text()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:start] + "\n" + table + "\n" + text[end:])
        print(f"\nwrote {DOC.relative_to(ROOT)}")
    sys.exit(1 if detection_misses else 0)


def summarise(rows, item_diffs, round_) -> dict:
    """The figures of the backends of one review round (all rounds with None)."""
    keep = lambda r: round_ is None or r == round_  # noqa: E731
    backends = [r for r in rows if r[1] is not None and keep(r[0].get("round", 1))]
    diffs = [score - review["total"] for review, score, *_ in backends]
    per_item = [abs(d[1]) for lst in item_diffs.values() for d in lst if keep(d[6])]
    within = sum(1 for d in diffs if abs(d) <= 5)
    return {
        "backends": len(backends),
        "within5": within,
        "share": within / len(backends) if backends else 0.0,
        "mean_abs": statistics.fmean(abs(d) for d in diffs) if diffs else 0.0,
        "mean_signed": statistics.fmean(diffs) if diffs else 0.0,
        "item_mad": statistics.fmean(per_item) if per_item else 0.0,
    }


def render(rows, item_diffs, summaries, others) -> str:
    out = ["| repository | commit | round | stack | review | squarely | difference |",
           "| --- | --- | ---: | --- | ---: | ---: | ---: |"]
    for review, score, report, kind, ok in rows:
        commit = review["commit"][:10]
        if score is None:
            verdict = "not a backend" if ok else "**called a backend**"
            out.append(f"| {review['repo']} | `{commit}` | {review.get('round', 1)} | "
                       f"{review.get('stack', '')} | {review['kind']} | {kind} | {verdict} |")
            continue
        d = score - review["total"]
        mark = "" if abs(d) <= 5 else " **"
        out.append(f"| {review['repo']} | `{commit}` | {review.get('round', 1)} | "
                   f"{review.get('stack', '')} | {review['total']:.2f} | {score:.2f} | "
                   f"{mark.strip()}{d:+.2f}{mark.strip()} |")
    out.append("")
    out.append("| backends | within 5 points | mean absolute difference | mean signed difference | per-item mean absolute difference |")
    out.append("| --- | ---: | ---: | ---: | ---: |")
    for name, s in summaries:
        out.append(f"| {name} ({s['backends']}) | {s['within5']} ({s['share'] * 100:.0f}%) | "
                   f"{s['mean_abs']:.2f} | {s['mean_signed']:+.2f} | {s['item_mad']:.2f} |")
    out.append("")
    for repo, kind, detected in others:
        out.append(f"- {repo} ({kind}): detected as `{detected}`.")
    out.append("")
    out.append("| item | mean difference | mean absolute difference | items that differ |")
    out.append("| --- | ---: | ---: | ---: |")
    for item, lst in item_diffs.items():
        if not lst:
            continue
        mean = statistics.fmean(d[1] for d in lst)
        mad = statistics.fmean(abs(d[1]) for d in lst)
        off = sum(1 for d in lst if abs(d[1]) >= 0.01)
        out.append(f"| `{item}` | {mean:+.2f} | {mad:.2f} | {off} of {len(lst)} |")
    return "\n".join(out)


if __name__ == "__main__":
    main()
