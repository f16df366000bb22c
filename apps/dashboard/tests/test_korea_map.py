"""The 시/도 map: every region has its shape inside the drawing, and the live page draws them beside a readable table."""

import re

import pytest
from django.test import Client

from apps.accounts.models import Region
from apps.dashboard.korea_map import korea_map

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def test_the_vendored_boundaries_give_all_17_regions_a_closed_shape_inside_the_view_box():
    shapes = korea_map()
    assert sorted(shapes.regions) == sorted(Region.values)
    for code, path in shapes.regions.items():
        assert path.startswith("M") and path.endswith("Z"), code
        coordinates = [float(value) for value in NUMBER.findall(path)]
        xs, ys = coordinates[0::2], coordinates[1::2]
        assert min(xs) >= 0 and max(xs) <= shapes.width, code
        assert min(ys) >= 0 and max(ys) <= shapes.height, code

    # Seoul lies north of Busan and west of it; Jeju is the southernmost.
    def centre(code):
        values = [float(value) for value in NUMBER.findall(shapes.regions[code])]
        return sum(values[0::2]) / len(values[0::2]), sum(values[1::2]) / len(values[1::2])

    (seoul_x, seoul_y), (busan_x, busan_y) = centre("seoul"), centre("busan")
    assert seoul_y < busan_y and seoul_x < busan_x
    assert max(centre(code)[1] for code in Region.values) == centre("jeju")[1]


@pytest.mark.django_db
def test_the_live_page_draws_the_map_inline_with_a_table_of_all_regions(staff_user):
    staff = Client()
    staff.force_login(staff_user)
    page = staff.get("/admin/dashboard/").content.decode()
    assert page.count('class="region shade-0" data-region=') == 17
    assert page.count("data-region-row=") == 17
    assert "<svg" in page and "<script>" not in page and "style=" not in page
