"""The lessons, as data: each a preset, one claim, what to watch for, and the check that holds
the claim to many seeds (`lessons`)."""

from __future__ import annotations

from al_core.experiments.lessons import (
    Lesson,
    batch_spread,
    blind_spot,
    check_blind_spot,
    check_clumping,
    check_cold_start,
    check_noise,
    check_nothing_to_gain,
    check_savings,
    check_when_to_stop,
)
from al_core.loop.config import Config

LC_VS_RANDOM = ("random", "least_confident")

LESSONS: list[Lesson] = [
    Lesson(
        slug="savings",
        title="Why asking beats guessing",
        claim=(
            "From 4 labels on two moons, k-NN with least-confident sampling reaches 98% of its "
            "full-data accuracy with about half the labels random sampling needs."
        ),
        text=(
            "Both runs start from the same 4 labels. Random sampling spends most of its labels "
            "deep inside a moon, where the model was already right; least confident asks about "
            "the points next to the boundary, where each answer moves it. Watch the two learning "
            "curves: the gap opens in the first 20 labels and closes once both have learned the "
            "shape, because from then on there is little left to learn. The table's 'labels to "
            "target' column is the saving."
        ),
        page="compare",
        config=Config(initial=4, model="knn", seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=60,
        check=check_savings,
        target_share=0.98,
    ),
    Lesson(
        slug="sampling-bias",
        title="Sampling bias: blind to what it never saw",
        claim=(
            "Started with labels from the top half of XOR only, least-confident sampling with an "
            "RBF SVM is still below random sampling after 30 more labels in most seeds, because "
            "it hardly ever asks about the bottom half."
        ),
        text=(
            "The 8 starting labels all come from the top two quadrants, so the model learns 'left "
            "is one class, right is the other' and extends that, confidently, to the bottom half, "
            "where it is wrong. Least confident only asks where the model is unsure, which is "
            "along the boundary it already knows, so the mistake in the bottom half is never "
            "questioned: watch the new labels pile up around the top. Random sampling stumbles "
            "into the bottom half within a few labels and fixes it. The usual cure is to mix in "
            "some random picks: a random mix of 0.2 closes most of the gap here."
        ),
        page="explore",
        config=Config(dataset="xor", initial=8, model="svm_rbf", seed=0),
        strategies=LC_VS_RANDOM,
        seeds=30,
        budget=30,
        check=check_blind_spot,
        initial_box=(-2.0, 2.0, 0.0, 2.0),
        measure=blind_spot,
    ),
    Lesson(
        slug="label-noise",
        title="A noisy oracle",
        claim=(
            "When 30% of the answers are wrong, both strategies lose accuracy, but on these data "
            "least-confident sampling still beats random in most seeds, on average and over the "
            "whole curve."
        ),
        text=(
            "Textbooks warn that uncertainty sampling chases noise, and in a single run you can "
            "see it fall behind random. Over many seeds it does not, here. Its wrong answers sit "
            "near the boundary, where the classes meet anyway; random sampling's are scattered "
            "inside the classes, and with k-NN each one makes a patch around it wrong. Watch the "
            "bands: both curves stay well below what the model reaches with all the true labels, "
            "and single runs swing widely. This oracle flips every answer with the same chance; "
            "real annotators often err most on borderline points, exactly the ones uncertainty "
            "sampling asks about, and that kind of noise is not simulated here."
        ),
        page="compare",
        config=Config(initial=10, model="knn", oracle_noise=0.3, seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=80,
        check=check_noise,
    ),
    Lesson(
        slug="batch-clumping",
        title="Batches that clump",
        claim=(
            "Asking 10 labels at a time, least confident's top 10 are near-duplicates: each point's "
            "nearest batch-mate is about half as far away as with cluster-margin, and a quarter as "
            "far as with core-set."
        ),
        text=(
            "The ten most uncertain points all sit on the same short stretch of boundary, so ten "
            "labels teach the model little more than one would. Cluster-margin keeps to the "
            "boundary but takes one point per cluster of uncertain points; core-set ignores "
            "uncertainty and spreads the batch over the whole plane. Step once with each strategy "
            "and compare the ten highlighted points. Density-weighted sampling clumps even more: "
            "its top scores all sit in one dense, uncertain spot."
        ),
        page="explore",
        config=Config(initial=10, model="svm_rbf", batch_size=10, seed=0),
        strategies=("least_confident", "cluster_margin", "coreset", "density_weighted"),
        seeds=12,
        budget=60,
        check=check_clumping,
        measure=batch_spread,
    ),
    Lesson(
        slug="cold-start",
        title="The cold start",
        claim=(
            "On XOR from just 2 labels (one per class), least-confident sampling with an RBF SVM "
            "trails random sampling over the first 30 labels in most seeds."
        ),
        text=(
            "A model trained on two points draws one boundary between them and is sure about "
            "everything else, including the two quadrants it has never seen. Its doubt is only as "
            "good as the model, so least confident keeps asking along that first boundary while "
            "random sampling soon finds all four quadrants. On the moons the same cold start "
            "works (one boundary is the right shape); on XOR it does not. Explore before trusting "
            "the model's doubt: core-set, which ignores the model and spreads its questions out, "
            "beats least confident from the same two labels, and with 8 starting labels the gap "
            "to random is gone."
        ),
        page="compare",
        config=Config(dataset="xor", initial=2, model="svm_rbf", seed=0),
        strategies=("random", "least_confident", "coreset"),
        seeds=20,
        budget=30,
        check=check_cold_start,
    ),
    Lesson(
        slug="nothing-to-gain",
        title="When there is nothing to gain",
        claim=(
            "In the default scenario (60 labels, logistic regression on the moons) the model "
            "starts within about 2 points of its full-data accuracy, so 60 more labels add about "
            "1 point whichever strategy picks them."
        ),
        text=(
            "A straight line cannot bend around the moons, and 60 labels already place the best "
            "straight line there is. Every extra label, however cleverly chosen, has nothing left "
            "to teach, so the curves are flat and on top of each other. Active learning saves "
            "labels only while the model is still learning: start from 4 labels with a flexible "
            "model (see 'Why asking beats guessing') to see a gap."
        ),
        page="compare",
        config=Config(seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=60,
        check=check_nothing_to_gain,
    ),
    Lesson(
        slug="when-to-stop",
        title="When to stop",
        claim=(
            "From 4 labels on two moons with an RBF SVM, stabilizing predictions (mean κ of the "
            "last 3 steps at least 0.99) stops least-confident sampling after about 40 more "
            "labels at its accuracy of 60 labels, but stops random sampling after about 12, "
            "3 or more points short of it."
        ),
        text=(
            "Labels cost money, and the truth is not known while you label, so a rule has to "
            "say when more labels stop paying. Stabilizing predictions watches a fixed set of "
            "unlabeled points and stops once successive models label them almost the same way. "
            "With least confident every answer sits on the boundary and moves it, so the models "
            "keep disagreeing until the boundary has settled: it stops late, well after "
            "accuracy passed 99% of what the whole pool gives, but never short. Random sampling "
            "mostly asks about points deep inside a moon, which do not move an SVM at all, so "
            "successive models agree while the model is still wrong: it stops early. Watch the "
            "meter beside the plane, and the two steps it shows where accuracy first reached 95% "
            "and 99% of the full-data accuracy. Switch the meter to classification change (it "
            "fires after a single answer that changed nothing) or overall uncertainty (it never "
            "gets below 0.05 here) to see why stabilizing predictions is the usual choice."
        ),
        page="explore",
        config=Config(initial=4, model="svm_rbf", seed=0),
        strategies=LC_VS_RANDOM,
        seeds=20,
        budget=60,
        check=check_when_to_stop,
    ),
]

LESSON_BY_SLUG: dict[str, Lesson] = {lesson.slug: lesson for lesson in LESSONS}


def lesson(slug: str) -> Lesson:
    """Look a lesson up by its slug (as it appears in a URL)."""
    if slug not in LESSON_BY_SLUG:
        raise ValueError(f"unknown lesson {slug!r} (accepted: {', '.join(LESSON_BY_SLUG)})")
    return LESSON_BY_SLUG[slug]
