"""高德 Gaode (AutoNavi): tiles drawn in GCJ-02, so every overlay is shifted for display.

Stored coordinates never change: :mod:`geo.map.display` shifts display copies
WGS84 → GCJ-02 and clicked positions back. Offered only when enabled.
"""

from geo.map.basemaps.spec import Basemap, TileSource

_CREDIT_ZH = "© 高德地图 AutoNavi"
_CREDIT_EN = "© AutoNavi (Gaode)"

VECTOR = Basemap(
    key="gaode_vec",
    label_zh="高德 矢量",
    label_en="Gaode vector",
    display="gcj02",
    needs="gaode",
    tiles=(TileSource(url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                      subdomains="1234", max_native_zoom=18),),
    attribution_zh=_CREDIT_ZH,
    attribution_en=_CREDIT_EN,
)

SATELLITE = Basemap(
    key="gaode_sat",
    label_zh="高德 卫星",
    label_en="Gaode satellite",
    display="gcj02",
    needs="gaode",
    tiles=(
        TileSource(url="https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
                   subdomains="1234", max_native_zoom=18),
        TileSource(url="https://webst0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
                   subdomains="1234", max_native_zoom=18, labels=True),
    ),
    attribution_zh=_CREDIT_ZH,
    attribution_en=_CREDIT_EN,
)
