"""天地图 Tianditu, the national map service: WGS84/CGCS2000 Web-Mercator tiles ("_w" matrix set).

Needs a key (``tk``) from the Tianditu developer console. Its tiles are in
CGCS2000, the same as WGS84 at map scale, so overlays line up as stored.
The key travels in the tile URLs the browser requests (that is how the
service works; keys are restricted by domain in the console).
"""

from geo.map.basemaps.spec import Basemap, TileSource

_WMTS = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
         "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}")
_SUBDOMAINS = "01234567"
_CREDIT_ZH = "© 天地图 国家地理信息公共服务平台"
_CREDIT_EN = "© Tianditu (National Platform for Common GeoSpatial Information Services)"


def _layer(name: str, *, labels: bool = False) -> TileSource:
    # Only {layer} is filled here: {s} {z} {x} {y} {tk} stay for Leaflet and the key.
    return TileSource(url=_WMTS.replace("{layer}", name), subdomains=_SUBDOMAINS, max_native_zoom=18, labels=labels)


VECTOR = Basemap(
    key="tianditu_vec",
    label_zh="天地图 矢量",
    label_en="Tianditu vector",
    display="wgs84",
    needs="tianditu_key",
    tiles=(_layer("vec"), _layer("cva", labels=True)),
    attribution_zh=_CREDIT_ZH,
    attribution_en=_CREDIT_EN,
)

IMAGERY = Basemap(
    key="tianditu_img",
    label_zh="天地图 影像",
    label_en="Tianditu imagery",
    display="wgs84",
    needs="tianditu_key",
    tiles=(_layer("img"), _layer("cia", labels=True)),
    attribution_zh=_CREDIT_ZH,
    attribution_en=_CREDIT_EN,
)
