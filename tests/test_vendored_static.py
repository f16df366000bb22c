"""The vendored front-end files match their manifest, and a change to one is caught."""

import shutil

from scripts.check_vendored import VENDOR, problems


def test_the_vendored_files_match_the_manifest():
    assert problems() == []


def test_a_changed_or_unrecorded_vendored_file_is_reported(tmp_path):
    # Given a copy of the vendored files with one file altered and one added
    vendor = tmp_path / "vendor"
    shutil.copytree(VENDOR, vendor)
    (vendor / "chartjs" / "chart.umd.min.js").write_text("tampered")
    (vendor / "extra.js").write_text("")

    # When checked / Then both are named
    found = problems(vendor)
    assert len(found) == 2
    assert found[0].startswith("chart.js 4.6.1: chartjs/chart.umd.min.js has sha256 ")
    assert found[1] == "extra.js is vendored but not recorded in static/vendor/vendor.json"
