"""Draw the figure of the network for the user guide: docs/_static/network.png.

The figure is committed; run this script again only to change it:
``python docs/make_network_figure.py``. It names every quantity as the article and
the math page do (X, W[1], b[1], Z[1], A[1], W[2], b[2], Z[2], A[2]) and gives the
estimator attribute that holds each parameter.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

OUTPUT = Path(__file__).parent / "_static" / "network.png"

LAYERS = {
    # x position, node labels (None draws a vertical ellipsis), colour
    "input": (0.0, ["$x_1$", "$x_2$", None, "$x_d$"], "#dbe9f6"),
    "hidden": (4.2, ["1", "2", "3", None, "$h$"], "#fde5c8"),
    "output": (8.4, ["1", None, "$K$"], "#d9f0d3"),
}
RADIUS = 0.28


def node_positions(x, labels):
    """Centres of the nodes of one layer, spread evenly about y = 0."""
    n = len(labels)
    return [(x, 1.1 * ((n - 1) / 2 - i)) for i in range(n)]


def main():
    fig, ax = plt.subplots(figsize=(9.0, 4.4), dpi=100)
    positions = {}
    for name, (x, labels, colour) in LAYERS.items():
        positions[name] = node_positions(x, labels)
        for (cx, cy), label in zip(positions[name], labels, strict=True):
            if label is None:
                ax.text(cx, cy, r"$\vdots$", ha="center", va="center", fontsize=15)
                continue
            ax.add_patch(
                plt.Circle((cx, cy), RADIUS, facecolor=colour, edgecolor="0.25")
            )
            ax.text(cx, cy, label, ha="center", va="center", fontsize=11)

    # Every unit of one layer feeds every unit of the next.
    for left, right in (("input", "hidden"), ("hidden", "output")):
        for (x0, y0), l0 in zip(positions[left], LAYERS[left][1], strict=True):
            for (x1, y1), l1 in zip(positions[right], LAYERS[right][1], strict=True):
                if l0 is None or l1 is None:
                    continue
                ax.plot(
                    [x0 + RADIUS, x1 - RADIUS],
                    [y0, y1],
                    color="0.6",
                    linewidth=0.6,
                    zorder=0,
                )

    top = 1.1 * 2 + 0.75
    text = dict(ha="center", va="bottom", fontsize=10.5)
    ax.text(0.0, top, "input $X$\n$d$ features\n(n_features_in_)\n", **text)
    ax.text(
        4.2,
        top,
        "hidden layer\n$h$ units (hidden_size)\n"
        "$Z^{[1]} = X W^{[1]\\top} + b^{[1]}$\n$A^{[1]} = g(Z^{[1]})$",
        **text,
    )
    ax.text(
        8.4,
        top,
        "output layer\n$K$ units (n_outputs_)\n"
        "$Z^{[2]} = A^{[1]} W^{[2]\\top} + b^{[2]}$\n$A^{[2]} = \\sigma(Z^{[2]})$",
        **text,
    )

    bottom = -1.1 * 2 - 0.55
    weights = dict(ha="center", va="top", fontsize=10.5, color="0.15")
    ax.text(
        2.1, bottom, "$W^{[1]}$: W1_ ($h \\times d$)\n$b^{[1]}$: b1_ ($h$)", **weights
    )
    ax.text(
        6.3, bottom, "$W^{[2]}$: W2_ ($K \\times h$)\n$b^{[2]}$: b2_ ($K$)", **weights
    )
    ax.annotate(
        "",
        xy=(9.95, 0),
        xytext=(8.4 + RADIUS + 0.05, 0),
        arrowprops=dict(arrowstyle="->", color="0.25"),
    )
    ax.text(
        10.05,
        0,
        "loss $J$\nagainst\ntargets $Y$",
        ha="left",
        va="center",
        fontsize=10.5,
    )

    ax.set_xlim(-1.4, 11.6)
    ax.set_ylim(bottom - 0.95, top + 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.savefig(OUTPUT, bbox_inches="tight", pad_inches=0.05)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
