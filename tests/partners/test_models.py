from zoneinfo import ZoneInfo

from partners.models import Partner


def test_a_partner_counts_its_days_in_shanghai_unless_it_names_another_timezone():
    assert Partner(code="a").zone == ZoneInfo("Asia/Shanghai")
    assert Partner(code="b", timezone="").zone == ZoneInfo("Asia/Shanghai")
    assert Partner(code="c", timezone="America/New_York").zone == ZoneInfo("America/New_York")
