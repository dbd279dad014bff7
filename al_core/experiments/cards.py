"""A card per strategy for the Learn page: the idea, the formula, when it works and when it fails.

Text as data, so the page only draws it; every strategy has a card (a test holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    """What a student needs about one strategy: the idea, the formula, when to trust it."""

    title: str
    idea: str  # two sentences
    formula: str  # LaTeX for st.latex
    works_when: str
    fails_when: str


_MARGIN = r"1 - \big(P(\hat y_1 \mid x) - P(\hat y_2 \mid x)\big)"

CARDS: dict[str, Card] = {
    "random": Card(
        "Random",
        "Pick any unlabeled point, each one equally likely. It ignores the model completely, which "
        "is exactly why every other strategy is measured against it.",
        r"x^\star \sim \mathrm{Uniform}(\mathcal{U})",
        "It is the honest baseline and hard to beat when the model is too simple to use better "
        "labels (logistic regression on the moons), or when the start is so poor that the model's "
        "doubts point the wrong way (XOR from two labels).",
        "Most random picks land deep inside a class where the model was already sure, so when the "
        "boundary is a thin region many labels teach the model nothing new.",
    ),
    "least_confident": Card(
        "Least confident",
        "Ask about the point whose most likely class is least likely. Those points sit next to the "
        "current boundary, where one more label moves it the most.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; 1 - \max_y P(y \mid x)",
        "The model is flexible and its probabilities mean something (RBF SVM, k-NN, Gaussian "
        "process), and the labels so far touch every region: it then refines the boundary with a "
        "fraction of the labels random sampling needs.",
        "The start misses a region (it never looks where the model is confidently wrong), batches "
        "of many points (they clump on one stretch of boundary), and models whose probabilities "
        "are all 0 or 1, like a decision tree with pure leaves (every point ties, so the pick is "
        "random).",
    ),
    "margin": Card(
        "Margin",
        "Ask where the two likeliest classes are closest to a tie. With two classes it ranks points "
        "exactly like least confident; with more, it ignores how the other classes share the rest.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; " + _MARGIN,
        "Several classes where the hard question is 'A or B?': it goes straight to the border "
        "between the two classes the model confuses.",
        "The same blind spots as least confident: a start that misses a region, too few starting "
        "labels, and batches that clump.",
    ),
    "entropy": Card(
        "Entropy",
        "Ask where the whole predicted distribution is flattest, as measured by its entropy. With "
        "two classes it ranks points exactly like least confident; with more, it prefers points "
        "where several classes are still plausible.",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; -\sum_{y} P(y \mid x) \log P(y \mid x)",
        "Many classes, to find where three or more meet or where the model has no idea at all.",
        "It can chase points where many unlikely classes each hold a little probability, rather "
        "than the border that matters; and it shares least confident's blind spots.",
    ),
    "qbc_vote": Card(
        "QBC (vote entropy)",
        "Train a small committee, each member on a bootstrap resample of the labels, and ask where "
        "their votes split most evenly. Disagreement means the labels so far do not pin the answer "
        "down.",
        r"\begin{gathered}x^\star = \arg\max_{x \in \mathcal{U}} \; -\sum_{y} \frac{V(y)}{C}"
        r" \log \frac{V(y)}{C} \\ V(y) = \text{members voting } y,\;"
        r" C = \text{committee size}\end{gathered}",
        "The model's own probabilities are poor (trees, boosting) but fitting several copies is "
        "cheap: members disagreeing is a better sign of doubt than one model's score.",
        "A small committee gives coarse votes (five members allow only a few different scores, so "
        "many points tie); every step costs C extra fits; and members trained on the same biased "
        "labels share the same blind spots.",
    ),
    "qbc_kl": Card(
        "QBC (KL divergence)",
        "The same committee, but it compares members' full probabilities instead of their votes: "
        "ask where members differ most from the committee's average belief. It notices "
        "disagreement even when every member votes the same class with different confidence.",
        r"\begin{gathered}x^\star = \arg\max_{x \in \mathcal{U}} \; \frac{1}{C} \sum_{c=1}^{C} "
        r"\mathrm{KL}\big(P_c(\cdot \mid x) \,\|\, P_{\mathcal{C}}(\cdot \mid x)\big) \\"
        r" P_{\mathcal{C}} = \frac{1}{C} \sum_{c=1}^{C} P_c\end{gathered}",
        "Models with informative probabilities (Gaussian process, logistic regression, neural "
        "network): finer-grained than counting votes, so fewer ties.",
        "Members that are confidently wrong together look like agreement, so a region none of "
        "them has seen scores low; and it costs C extra fits per step.",
    ),
    "density_weighted": Card(
        "Density-weighted",
        "Multiply uncertainty by how crowded the point's neighbourhood is, so lonely outliers lose "
        "to uncertain points that many others resemble. A label on a typical point teaches the "
        "model about many points at once.",
        r"\begin{gathered}x^\star = \arg\max_{x \in \mathcal{U}} \; \frac{H(x)}{\log K} \,"
        r" d(x)^{\beta} \\ d(x) \propto \sum_{u \in \mathcal{U}}"
        r" e^{-\lVert x - u \rVert^2 / 2h^2}\end{gathered}",
        "Data with outliers and stragglers, where plain uncertainty keeps asking about odd points "
        "that say little about the rest (d is scaled so the densest spot scores 1; β sets its "
        "weight, h the neighbourhood size).",
        "Batches: the top scores all sit in the same dense, uncertain spot, so a batch piles up "
        "there (the tightest batches in the batch lesson); a large β ignores thin but important "
        "parts of the boundary.",
    ),
    "coreset": Card(
        "Core-set",
        "Ignore the model and ask about the point farthest from every labeled point, so the labels "
        "cover the space like evenly spread pins. A batch is built one point at a time, each "
        "farthest from the labels and the earlier picks (greedy k-centre).",
        r"x^\star = \arg\max_{x \in \mathcal{U}} \; \min_{l \in \mathcal{L}} \lVert x - x_l \rVert",
        "Cold starts and big batches: it explores, so no region stays unseen, and a batch never "
        "clumps.",
        "Later on it keeps spending labels on empty corners and outliers instead of the boundary, "
        "because it never asks the model where it is unsure.",
    ),
    "cluster_margin": Card(
        "Cluster-margin",
        "Shortlist the points with the smallest margin, group the shortlist into k clusters, and "
        "take the most uncertain point of each cluster. The batch stays on the boundary but "
        "spreads out along it.",
        r"\begin{gathered}\mathcal{S} = \operatorname{top}_{\max(10k,\,50)} \big["
        + _MARGIN
        + r"\big] \\ \mathcal{S} = \mathcal{S}_1 \cup \dots \cup \mathcal{S}_k \ "
        r"\text{(k-means)} \\ x_j^\star = \arg\max_{x \in \mathcal{S}_j} \; "
        + _MARGIN
        + r"\end{gathered}",
        "Labeling in batches: it keeps margin's focus on the boundary without asking about "
        "near-duplicates.",
        "With batch size 1 it is plain margin, blind spots included; the shortlist holds only "
        "uncertain points, so it never explores a region the model is wrongly sure about.",
    ),
    "expected_error_reduction": Card(
        "Expected error reduction",
        "For a candidate, imagine each possible answer, retrain with it, and measure how unsure "
        "the retrained model is over the pool, weighting each answer by how likely it is. Ask "
        "about the point whose answer should leave the least error behind.",
        r"\begin{gathered}x^\star = \arg\min_{x \in \mathcal{U}} \; \sum_{y} P(y \mid x)"
        r" \, R^{+(x,y)} \\ R^{+(x,y)} = \sum_{u \in \mathcal{U}}"
        r" \Big(1 - \max_{y'} P^{+(x,y)}(y' \mid u)\Big)\end{gathered}",
        "Small pools and cheap models: it aims directly at future error (P⁺ is the model retrained "
        "with x labeled y) and is not fooled by outliers whose label would change nothing.",
        "Cost: it refits the model for every candidate and class, so the app scores only a random "
        "sample of candidates per step (16 by default), which also makes it partly random; and it "
        "judges error by the model's own confidence, so it is no cure for a bad start.",
    ),
}
