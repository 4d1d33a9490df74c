"""OpenStreetMap's standard tiles, for deployments with internet (WGS84 Web Mercator).

OSM's tile usage policy asks for light use and a visible credit; a bureau
with many users should run its own tile server and point the URL there.
"""

from geo.map.basemaps.spec import Basemap, TileSource

STANDARD = Basemap(
    key="osm",
    label_zh="OpenStreetMap",
    label_en="OpenStreetMap",
    display="wgs84",
    needs="osm",
    tiles=(TileSource(url="https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_native_zoom=19),),
    attribution_zh="© OpenStreetMap 贡献者 (ODbL)",
    attribution_en="© OpenStreetMap contributors (ODbL)",
)
