"""Words for people: a count with its noun in the right number.

English plurals are irregular ("nonconformities", "opportunities for improvement", "criteria"), so a
plural is always written out by whoever names the noun, never made by adding "s"."""


def plural(n: int, singular: str, many: str) -> str:
    """The noun for `n` things: `singular` for one, `many` otherwise."""
    return singular if n == 1 else many


def count(n: int, singular: str, many: str) -> str:
    """ "1 nonconformity", "3 nonconformities"."""
    return f"{n} {plural(n, singular, many)}"
