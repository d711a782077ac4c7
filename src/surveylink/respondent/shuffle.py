"""The order choices and matrix rows are shown in: upstream's `shuffleOption`
(packages/surveys/src/lib/utils.ts), with a random source seeded by the respondent and the
element, so a reload or a step back shows the same order. Pure."""

import hashlib
import random

from surveylink.surveys.document import Choice, ShuffleOption


def _random(seed: str) -> random.Random:
    digest = hashlib.sha256(seed.encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311  # an order, not a secret


def _arrange(items: list[int], option: ShuffleOption | None, rng: random.Random) -> list[int]:
    if option in ("exceptLast", "reverseOrderExceptLast") and items:
        last = items.pop()
        inner: ShuffleOption = "all" if option == "exceptLast" else "reverseOrderOccasionally"
        return [*_arrange(items, inner, rng), last]
    if option == "all":
        rng.shuffle(items)
    elif option == "reverseOrderOccasionally" and rng.random() < 0.5:
        items.reverse()
    return items


def choice_order(choices: list[Choice], option: ShuffleOption | None, seed: str) -> list[int]:
    """Indexes of `choices` in display order. Shuffled or not, "other" then "none" come last
    whenever any shuffle option is set; "none" keeps the order as written."""
    if option is None or option == "none":
        return list(range(len(choices)))
    regular = [i for i, choice in enumerate(choices) if choice.id not in ("other", "none")]
    ordered = _arrange(regular, option, _random(seed))
    tail = (
        next((i for i, c in enumerate(choices) if c.id == key), None) for key in ("other", "none")
    )
    return ordered + [i for i in tail if i is not None]


def row_order(count: int, option: ShuffleOption, seed: str) -> list[int]:
    """Indexes of matrix rows in display order (rows have no "other" or "none")."""
    if option == "none":
        return list(range(count))
    return _arrange(list(range(count)), option, _random(seed))
