"""Query strategies, one signature for all: `utility(ctx, X) -> scores`, higher means "ask me".

Families, each a short module: `uncertainty` (least confident, margin, entropy), `disagreement`
(query by committee), `density` (density-weighted, core-set), `expected_error`; `batch` turns
utilities into a batch. Nothing here retries, swallows an error, or breaks a tie by array order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from al_core.params import Param, resolve
from al_core.strategies.base import Query, QueryContext, Strategy, select_top, top_k
from al_core.strategies.batch import query, select_cluster_margin, select_coreset
from al_core.strategies.density import coreset_distance, density_weighted
from al_core.strategies.disagreement import committee, qbc_kl, qbc_vote
from al_core.strategies.expected_error import expected_error_reduction
from al_core.strategies.uncertainty import (
    SCORES,
    entropy,
    entropy_scores,
    least_confident,
    least_confident_scores,
    margin,
    margin_scores,
    random,
)

COMMITTEE = Param("committee_size", "Committee size", 5, 2, 15)
STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in [
        Strategy("random", "Random", "Ask about any point; the honest baseline.", random),
        Strategy(
            "least_confident",
            "Least confident",
            "Ask where the top class is least likely.",
            least_confident,
            reads_proba=True,
        ),
        Strategy(
            "margin",
            "Margin",
            "Ask where the two likeliest classes are closest.",
            margin,
            reads_proba=True,
        ),
        Strategy(
            "entropy",
            "Entropy",
            "Ask where the whole class distribution is flattest.",
            entropy,
            reads_proba=True,
        ),
        Strategy(
            "qbc_vote",
            "QBC (vote entropy)",
            "Ask where a committee's votes split.",
            qbc_vote,
            params=(COMMITTEE,),
        ),
        Strategy(
            "qbc_kl",
            "QBC (KL divergence)",
            "Ask where members' beliefs differ most.",
            qbc_kl,
            params=(COMMITTEE,),
        ),
        Strategy(
            "density_weighted",
            "Density-weighted",
            "Uncertain and typical: entropy times local density.",
            density_weighted,
            params=(
                Param("beta", "Density weight β", 1.0, 0.0, 5.0),
                Param("bandwidth", "Density bandwidth", 0.15, 0.02, 1.0, log=True),
            ),
            reads_proba=True,
        ),
        Strategy(
            "coreset",
            "Core-set",
            "Cover the space: ask about the point farthest from every label.",
            coreset_distance,
            select_coreset,
        ),
        Strategy(
            "cluster_margin",
            "Cluster-margin",
            "Margin, but a batch spreads over clusters of uncertain points.",
            margin,
            select_cluster_margin,
            reads_proba=True,
        ),
        Strategy(
            "expected_error_reduction",
            "Expected error reduction",
            "Ask about the point whose label should cut future error most.",
            expected_error_reduction,
            params=(Param("subsample", "Candidates scored", 16, 4, 200),),
            surface=False,
        ),
    ]
}


def strategy_params(name: str, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A strategy's parameters: its defaults overlaid with `given` (checked, see `resolve`)."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r} (accepted: {', '.join(STRATEGIES)})")
    return resolve(STRATEGIES[name].params, given)


__all__ = [
    "COMMITTEE",
    "SCORES",
    "STRATEGIES",
    "Query",
    "QueryContext",
    "Strategy",
    "committee",
    "coreset_distance",
    "density_weighted",
    "entropy",
    "entropy_scores",
    "expected_error_reduction",
    "least_confident",
    "least_confident_scores",
    "margin",
    "margin_scores",
    "qbc_kl",
    "qbc_vote",
    "query",
    "random",
    "select_cluster_margin",
    "select_coreset",
    "select_top",
    "strategy_params",
    "top_k",
]
