"""Group the spellings of one supplier inside one dataset.

Two steps, both deterministic:

1. **Same key.** Spellings with the same normalised name (:func:`normalise_name`) are one
   supplier: "ACME LTD", "Acme Limited", "acme ltd." and "ACME (NW) LTD t/a Acme Roofing".
   Names that normalise to nothing are kept apart (key ``raw:<name>``) so that they are not
   lumped together.
2. **Near keys.** Keys that differ only by a typo are merged when they are long enough to be
   safe: both at least ``min_length`` characters, the same first three characters, and a
   rapidfuzz ``ratio`` of at least ``threshold`` (default 94: one wrong letter in a 20-letter
   name). The key with the most rows (then the shortest, then the first alphabetically) names
   the cluster.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from socialvalue.suppliers.matching import supplier_key_for

__all__ = ["SupplierGroup", "cluster_keys", "group_spellings"]


@dataclass(frozen=True)
class SupplierGroup:
    """The spellings of one supplier in a dataset.

    Attributes
    ----------
    supplier_key
        The normalised name naming the group (stable across imports).
    name
        The most frequent spelling, for display.
    raw_names
        Every spelling, most frequent first.
    rows
        How many rows (or how many times) the spellings occur.
    merged_keys
        Other normalised keys folded in by near-key clustering (empty when none).
    """

    supplier_key: str
    name: str
    raw_names: tuple[str, ...]
    rows: int
    merged_keys: tuple[str, ...] = ()


def cluster_keys(
    key_counts: dict[str, int], *, threshold: float = 94.0, min_length: int = 12
) -> dict[str, str]:
    """Map each key to its cluster's key; near-duplicate keys share one.

    Parameters
    ----------
    key_counts
        Normalised keys and how often each occurs.
    threshold
        rapidfuzz ``ratio`` from which two keys are the same supplier.
    min_length
        Keys shorter than this are never merged (short names differ by one letter legitimately).

    Returns
    -------
    dict[str, str]
        Every key, mapped to the representative key of its cluster.
    """
    parent = {key: key for key in key_counts}

    def find(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def rank(key: str) -> tuple[int, int, str]:
        return (-key_counts[key], len(key), key)

    blocks: dict[str, list[str]] = defaultdict(list)
    for key in key_counts:
        if len(key) >= min_length and not key.startswith("raw:"):
            blocks[key[:3]].append(key)
    for block in blocks.values():
        block.sort()
        for i, left in enumerate(block):
            for right in block[i + 1 :]:
                if abs(len(left) - len(right)) > 3:
                    continue
                if fuzz.ratio(left, right) >= threshold:
                    root_left, root_right = find(left), find(right)
                    if root_left != root_right:
                        keep, drop = sorted((root_left, root_right), key=rank)
                        parent[drop] = keep
    return {key: find(key) for key in key_counts}


def group_spellings(
    names: Iterable[str], *, merge_near_keys: bool = True, threshold: float = 94.0
) -> list[SupplierGroup]:
    """Group ledger spellings into suppliers.

    Parameters
    ----------
    names
        One spelling per ledger row (repeats count as rows).
    merge_near_keys
        Also merge keys that differ by a typo (:func:`cluster_keys`).
    threshold
        Passed to :func:`cluster_keys`.

    Returns
    -------
    list[SupplierGroup]
        Largest groups first (then by key).

    Examples
    --------
    >>> [g.supplier_key for g in group_spellings(["ACME LTD", "Acme Limited", "Bloggs"])]
    ['acme', 'bloggs']
    """
    spelling_counts: Counter[str] = Counter(name for name in names if name is not None)
    by_key: dict[str, Counter[str]] = defaultdict(Counter)
    for spelling, count in spelling_counts.items():
        by_key[supplier_key_for(spelling)][spelling] += count
    key_counts = {key: sum(counter.values()) for key, counter in by_key.items()}
    mapping = (
        cluster_keys(key_counts, threshold=threshold)
        if merge_near_keys
        else {key: key for key in key_counts}
    )
    clustered: dict[str, list[str]] = defaultdict(list)
    for key, root in mapping.items():
        clustered[root].append(key)
    groups: list[SupplierGroup] = []
    for root, keys in clustered.items():
        spellings: Counter[str] = Counter()
        for key in keys:
            spellings.update(by_key[key])
        ordered = sorted(spellings.items(), key=lambda item: (-item[1], item[0]))
        groups.append(
            SupplierGroup(
                supplier_key=root,
                name=ordered[0][0],
                raw_names=tuple(spelling for spelling, _count in ordered),
                rows=sum(spellings.values()),
                merged_keys=tuple(sorted(key for key in keys if key != root)),
            )
        )
    groups.sort(key=lambda group: (-group.rows, group.supplier_key))
    return groups
