#!/usr/bin/env python
"""Peak memory of rendering a county view from a large raster, against reading it whole.

    python bench/bench_raster_memory.py                 # 30000 × 30000 uint8 (900 MB in memory)
    python bench/bench_raster_memory.py --size 10000    # quicker

1. Writes a large single-band uint8 GeoTIFF over Fuqing (UTM 50N, tiled,
   deflate, block by block, no overviews) in a temporary folder.
2. Stores it with :func:`geo.raster.ensure_overviews` (windowed copy +
   overviews), as the app does when an admin adds a file.
3. In separate processes, each measured by its peak RSS:
   * ``baseline`` — imports and opens the file, reads nothing;
   * ``render``   — renders the county view on request, as the tile route
     does: every tile covering Fuqing at z10 and z11 (z11 is what a
     1024 × 768 screen shows of the county), each with
     :func:`geo.raster.tiles.render_tile` (rio-tiler), timing each tile;
   * ``naive``    — ``src.read(1)`` of the whole band, for comparison.
4. Prints a table and, as the last line, the figures as JSON.

How the peak is measured: each task runs in a fresh process started by a
small stdlib-only "measurer" process, which waits for it and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``. The extra hop matters:
Linux starts a child's ``ru_maxrss`` at the peak of the process that
spawned it (``vfork`` + ``exec`` keeps the parent's high-water mark), so a
child spawned by this script after it wrote a 900 MB raster would report
this script's peak, not its own. The task also reports its own ``VmHWM``
(from ``/proc/self/status``, per address space), which agrees.

Nothing is kept unless ``--keep DIR`` is given.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Only the standard library at import time: the measurer process must stay small.
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BLOCK = 512
#: Side of the square the raster covers, metres (Fuqing is ~62 × 60 km).
EXTENT_M = 64_000.0
VIEW_ZOOMS = (10, 11)


def _vm_hwm_mb() -> float | None:
    """Peak RSS of this address space (VmHWM), MB; None off Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def generate(path: Path, size: int) -> float:
    """Write a size × size uint8 raster block by block; return seconds."""
    import numpy as np
    import rasterio
    from pyproj import Transformer
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    from geo.basegeo import FUQING_BOUNDS

    t0 = time.perf_counter()
    x0, y0 = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True).transform(
        FUQING_BOUNDS[0] - 0.01, FUQING_BOUNDS[3] + 0.01)
    px = EXTENT_M / size
    profile = dict(driver="GTiff", width=size, height=size, count=1, dtype="uint8", crs="EPSG:32650",
                   transform=from_origin(round(x0), round(y0), px, px), nodata=0, tiled=True,
                   blockxsize=BLOCK, blockysize=BLOCK, compress="deflate", zlevel=1, bigtiff="YES")
    cols = np.arange(BLOCK, dtype=np.float32)
    with rasterio.Env(GDAL_CACHEMAX=128 * 1024**2), rasterio.open(path, "w", **profile) as dst:
        for r in range(0, size, BLOCK):
            h = min(BLOCK, size - r)
            yy = (r + np.arange(h, dtype=np.float32))[:, None]
            for c in range(0, size, BLOCK):
                w = min(BLOCK, size - c)
                xx = (c + cols[:w])[None, :]
                # Smooth waves at two scales: compressible, never constant, 1..255 (0 is nodata).
                v = 128 + 60 * np.sin(xx / 900.0) * np.cos(yy / 1300.0) + 60 * np.sin((xx + yy) / 97.0)
                dst.write(np.clip(v, 1, 255).astype(np.uint8)[None], window=Window(c, r, w, h))
    return time.perf_counter() - t0


def child(mode: str, path: str, out: str) -> None:
    """Run one measured task and print its figures as JSON."""
    import numpy as np
    import rasterio

    from geo.basegeo import FUQING_BOUNDS
    from geo.raster.overviews import GDAL_ENV
    from geo.raster.style import resolve_style
    from geo.raster.tiles import render_tile, tiles_covering

    t0 = time.perf_counter()
    result: dict = {"mode": mode}
    if mode == "baseline":
        with rasterio.open(path) as src:
            result["shape"] = list(src.shape)
    elif mode == "naive":
        with rasterio.Env(**GDAL_ENV), rasterio.open(path) as src:
            a = src.read(1)
            result["bytes"] = int(a.nbytes)
            result["mean"] = float(a.mean())
    elif mode == "render":
        with rasterio.Env(**GDAL_ENV), rasterio.open(path) as src:
            style = resolve_style(src, {"colormap": "greys"})  # one overview read, as the app does once per layer
        stamps: list[float] = []
        written: dict[str, int] = {}
        png_bytes = 0
        tiles = [t for z in VIEW_ZOOMS for t in tiles_covering(FUQING_BOUNDS, z)]
        for z, x, y in tiles:
            png = render_tile(path, z, x, y, style=style)
            stamps.append(time.perf_counter())
            if png is not None:
                written[str(z)] = written.get(str(z), 0) + 1
                png_bytes += len(png)
        # The first interval also holds opening, statistics (one overview read) and PROJ set-up.
        per_tile = np.diff(stamps) * 1000.0
        result.update(tiles=len(tiles), tiles_written=sum(written.values()), png_bytes=png_bytes,
                      first_tile_ms=round((stamps[0] - t0) * 1000.0, 1),
                      per_tile_ms_mean=round(float(per_tile.mean()), 1),
                      per_tile_ms_p50=round(float(np.median(per_tile)), 1),
                      per_tile_ms_max=round(float(per_tile.max()), 1),
                      tiles_per_zoom=written)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    result["vm_hwm_mb"] = _vm_hwm_mb()
    print(json.dumps(result))


def measure(mode: str, path: str, out: str) -> None:
    """(Small measurer process) run the task in a child; print its JSON plus RUSAGE_CHILDREN."""
    proc = subprocess.run([sys.executable, __file__, "--child", mode, path, out],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(json.dumps({"error": proc.stderr[-2000:]}))
        return
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0, 1)
    result["measurer_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    print(json.dumps(result))


def run_measured(mode: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--measure", mode, str(path), str(out)],
                          capture_output=True, text=True, check=False)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if "error" in result:
        raise SystemExit(f"{mode} failed:\n{result['error']}")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=30_000, help="pixels on a side (default 30000)")
    ap.add_argument("--keep", type=Path, help="keep the files in this folder")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--measure", nargs=3, metavar=("MODE", "PATH", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    if args.measure:
        measure(*args.measure)
        return 0

    from geo.raster.check import RasterCaps, check_raster
    from geo.raster.overviews import ensure_overviews

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_raster_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / "big.tif"
        gen_s = generate(src, args.size)
        t0 = time.perf_counter()
        stored = ensure_overviews(src, work / "stored.tif")
        ovr_s = time.perf_counter() - t0
        # 30000² (900 M px) is over the app's cap (200 M px per band, see RasterCaps): the bench
        # lifts it on purpose, to show that rendering stays bounded whatever the size.
        info = check_raster(stored, caps=RasterCaps(max_pixels=10**10, max_side=10**6))
        in_memory_mb = info.memory_bytes / 1024**2
        rows = []
        for mode in ("baseline", "render", "naive"):
            rows.append(run_measured(mode, stored, work / "unused"))
        base, render, naive = rows
        figures = {
            "raster": {"width": info.width, "height": info.height, "dtype": info.dtype,
                       "pixel_m": round(info.resolution_m[0], 2), "in_memory_mb": round(in_memory_mb, 1),
                       "source_file_mb": round(src.stat().st_size / 1024**2, 1),
                       "stored_file_mb": round(stored.stat().st_size / 1024**2, 1),
                       "overviews": list(info.overview_factors), "suggested_max_zoom": info.max_zoom},
            "generate_s": round(gen_s, 1),
            "ensure_overviews_s": round(ovr_s, 1),
            "baseline": base,
            "render": render,
            "naive": naive,
            "render_over_baseline_mb": round(render["peak_rss_mb"] - base["peak_rss_mb"], 1),
            "naive_over_baseline_mb": round(naive["peak_rss_mb"] - base["peak_rss_mb"], 1),
            "render_peak_as_share_of_raster": round(render["peak_rss_mb"] / in_memory_mb, 4),
        }
        print(f"raster {info.width} × {info.height} {info.dtype} = {in_memory_mb:,.0f} MB in memory, "
              f"{figures['raster']['source_file_mb']} MB on disk; generated in {gen_s:.1f} s; "
              f"ensure_overviews {ovr_s:.1f} s (overviews {list(info.overview_factors)})")
        print(f"{'process':<10} {'peak RSS MB':>12} {'above baseline':>15} {'VmHWM MB':>9} {'% of raster':>12} "
              f"{'seconds':>8}")
        for r in rows:
            print(f"{r['mode']:<10} {r['peak_rss_mb']:>12,.1f} {r['peak_rss_mb'] - base['peak_rss_mb']:>15,.1f} "
                  f"{r['vm_hwm_mb'] or 0:>9,.1f} {100 * r['peak_rss_mb'] / in_memory_mb:>11,.1f}% {r['seconds']:>8}")
        print(f"county view: {render['tiles']} tiles at z{VIEW_ZOOMS[0]}–z{VIEW_ZOOMS[-1]} "
              f"({render['tiles_written']} with data); first tile (with opening and statistics) "
              f"{render['first_tile_ms']} ms, then {render['per_tile_ms_mean']} ms/tile mean, "
              f"{render['per_tile_ms_p50']} p50, {render['per_tile_ms_max']} max")
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
