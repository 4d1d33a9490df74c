"""The offline basemap: Fuqing's own shipped geography, drawn by the browser (needs nothing)."""

from geo.basegeo import ATTRIBUTION
from geo.map.basemaps.spec import Basemap

OFFLINE = Basemap(
    key="offline",
    label_zh="离线底图（福清地理）",
    label_en="Offline (Fuqing geography)",
    display="wgs84",
    needs="nothing",
    attribution_zh=ATTRIBUTION,
    attribution_en=ATTRIBUTION.replace("海湾为示意", "bays approximate"),
    draws_shipped_land=True,
)
