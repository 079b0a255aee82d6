"""Record URLs: detail_url is reverse() without walking the resolver for every row of a list."""

import pytest
from django.urls import reverse

from aims.models.records import detail_url


@pytest.mark.parametrize("reference", ["RSK-0042", "SYS-1", "a b?c#d%e", "é:@~", "x.y_z-1"])
def test_detail_url_is_what_reverse_gives(reference):
    assert detail_url("risk-detail", reference) == reverse("risk-detail", args=[reference])
    assert detail_url("aisystem-detail", reference) == reverse("aisystem-detail", args=[reference])


def test_detail_url_follows_the_script_prefix():
    """Behind a proxy at a sub-path, every link carries the prefix, as reverse() would give it."""
    from django.urls import set_script_prefix

    set_script_prefix("/aims/")
    try:
        assert (
            detail_url("risk-detail", "RSK-1")
            == "/aims/risks/RSK-1/"
            == reverse("risk-detail", args=["RSK-1"])
        )
    finally:
        set_script_prefix("/")
    assert detail_url("risk-detail", "RSK-1") == "/risks/RSK-1/"
