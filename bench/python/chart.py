"""Draws bench/ratios.png from results.json: each comparison's advantage next to its target.

    chart.py RESULTS_JSON OUT_PNG     (needs matplotlib; the bench venv has it)
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display on build machines
import matplotlib.pyplot as plt  # noqa: E402


def main():
    results_path, out = sys.argv[1], sys.argv[2]
    with open(results_path) as f:
        results = json.load(f)
    rows = [s for s in results["scenarios"] if s.get("baseline") and s.get("ratio_to_baseline") is not None]
    if not rows:
        print("bench: chart: no comparisons to draw", file=sys.stderr)
        return
    labels = ["{}\nvs {}".format(r["name"], r["baseline"][0]) for r in rows]
    ratios = [r["ratio_to_baseline"] for r in rows]
    targets = [r["baseline"][1] for r in rows]
    colors = ["tab:green" if x >= t else "tab:red" for x, t in zip(ratios, targets)]
    fig, ax = plt.subplots(figsize=(13, 0.75 * len(rows) + 1.5))
    y = range(len(rows))
    ax.barh(y, ratios, color=colors)
    ax.scatter(targets, y, marker="|", s=400, color="black", label="target", zorder=3)
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("advantage (ratio of medians; times and memory: baseline / ours), log scale")
    ax.set_title("acs-chat bench, {} ({})".format(results["generated"], results["machine"]), fontsize=9)
    for i, x in enumerate(ratios):
        ax.text(x, i, " {:.2f}x".format(x), va="center", fontsize=7)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
