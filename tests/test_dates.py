"""Publication times as the site writes them."""

from __future__ import annotations

import pytest

from crawler.parsing.dates import date_from_url, find_dates

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "iso", "has_time"), [
    ("2020-11-24 15:11", "2020-11-24T15:11:00+08:00", True),
    ("2021-05-25", "2021-05-25T00:00:00+08:00", False),
    ("2019年03月05日 09:30", "2019-03-05T09:30:00+08:00", True),
    ("发布时间：2019年3月5日", "2019-03-05T00:00:00+08:00", False),
    ("2021-06-01 08:30:15", "2021-06-01T08:30:15+08:00", True),
    ("2021/06/01 8:05", "2021-06-01T08:05:00+08:00", True),
    ("时间:2022.03.18 来源:经济日报", "2022-03-18T00:00:00+08:00", False),
])
def test_forms(text, iso, has_time):
    found, bad = find_dates(text)
    assert bad == []
    assert (found[0].iso, found[0].has_time) == (iso, has_time)


def test_a_date_that_does_not_exist_is_reported_not_moved():
    found, bad = find_dates("2021-02-30 10:00")
    assert found == []
    assert bad == ["impossible date '2021-02-30 10:00'"]


def test_numbers_that_are_not_dates():
    assert find_dates("累计投入财政资金3.75亿元，带动贫困人员就业8594人")[0] == []
    assert find_dates("电话 010-63691514")[0] == []


def test_date_from_url():
    assert date_from_url("http://www.chinasei.com.cn/lpz/202011/t20201124_40123.html") == "2020-11-24T00:00:00+08:00"
    assert date_from_url("http://www.chinasei.com.cn/lpz/202011/t20201332_40123.html") is None
    assert date_from_url("http://www.chinasei.com.cn/lpz/") is None
