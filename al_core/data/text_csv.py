"""A CSV of short texts as a Dataset: TF-IDF features a model learns from, and a 2-D map to draw.

People label texts they can read, so the texts travel with the pool (`Items("text")`) and are
shown escaped, never as HTML or Markdown. The model learns in the TF-IDF space reduced by
TruncatedSVD (latent semantic analysis: 100 dense dimensions instead of a sparse vocabulary, so
every model here can fit it); the map is two more components of the same SVD (see `text_map`).
"""

from __future__ import annotations

import numpy as np

from al_core.data.dataset import DataError, Dataset, Items, fixed_dataset
from al_core.threads import one_thread

TEXT_COLUMNS = ("text", "sentence", "review", "comment", "message", "document", "content")
MAX_TEXT_CHARS = 10_000
LEARN_DIMS = 100
MAP_NAMES = ("Text map 1", "Text map 2")


def named_text_column(columns: list[str]) -> str | None:
    """The column named like a text ("text", "sentence", …), if any."""
    by_name = {c.strip().lower(): c for c in columns}
    return next((by_name[n] for n in TEXT_COLUMNS if n in by_name), None)


def looks_like_text(col) -> bool:
    """Mostly words rather than numbers or codes: what a text feature column holds."""
    import pandas as pd

    values = col.dropna().astype(str)
    if values.empty or pd.to_numeric(values, errors="coerce").notna().mean() > 0.5:
        return False
    return bool(values.str.contains(r"\s").mean() > 0.5)


def texts_of(col, column: str) -> tuple[str, ...]:
    """The column's texts, or a DataError naming the first row that cannot be one."""
    values = col.astype(object)
    empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        n = int(empty.sum())
        raise DataError(
            f"The text column '{column}' is empty in row {row + 2} of the file ({n} "
            f"{'row' if n == 1 else 'rows'} affected). Fill in or drop those rows and upload again."
        )
    texts = tuple(str(v) for v in values)
    lengths = np.array([len(t) for t in texts])
    if lengths.max() > MAX_TEXT_CHARS:
        row = int(lengths.argmax())
        raise DataError(
            f"The text in row {row + 2} has {lengths[row]:,} characters; at most "
            f"{MAX_TEXT_CHARS:,} per text are supported. Shorten or split it and upload again."
        )
    return texts


def embed(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(features to learn in, 2-D map) for the texts, deterministic for the same texts."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vectorizer = TfidfVectorizer(sublinear_tf=True, strip_accents="unicode", max_features=50_000)
    try:
        tfidf = vectorizer.fit_transform(texts)
    except ValueError:  # no word at all: punctuation, numbers of one digit, empty after cleaning
        raise DataError(
            "The texts hold no words to learn from (only punctuation or single characters?). "
            "Upload a column of sentences."
        ) from None
    dims = int(min(LEARN_DIMS + 1, tfidf.shape[1] - 1, tfidf.shape[0] - 1))
    if dims < 3:
        raise DataError(
            f"The texts use only {tfidf.shape[1]} different words: too few to tell classes "
            "apart. Upload longer or more varied texts."
        )
    svd = TruncatedSVD(n_components=dims, random_state=0, n_iter=4)  # arpack: 10x slower
    with one_thread():  # BLAS threads made this SVD several times slower on 2 shared cores
        Z = svd.fit_transform(tfidf)
    Z *= np.sign(Z[np.abs(Z).argmax(axis=0), np.arange(dims)])  # a sign that does not flip
    return normalize(Z[:, :LEARN_DIMS]), text_map(Z)


def text_map(Z: np.ndarray) -> np.ndarray:
    """The 2-D map: SVD components 2 and 3 of the normalised LSA, standardised. The first
    component of TF-IDF mostly follows common words. Measured on examples/short_texts.csv
    (5-fold 5-NN accuracy in the map): components 1–2 0.57, 2–3 0.66, PCA of the LSA 0.63;
    all 100 dimensions 0.74."""
    m = Z[:, 1:3] / np.linalg.norm(Z, axis=1, keepdims=True).clip(1e-12)
    m = m - m.mean(axis=0)
    return m / m.std(axis=0).clip(1e-12)


def text_dataset(
    name: str,
    texts: tuple[str, ...],
    y: np.ndarray | None,
    class_names: tuple[str, ...],
) -> Dataset:
    """The texts embedded, with a held-out 30% when labels are known (the evaluation rule)."""
    features, X2 = embed(texts)
    items = Items("text", texts=texts)
    rows = np.arange(len(texts))
    return fixed_dataset(name, X2, y, class_names, 0, True, MAP_NAMES, rows, features, items)
