#!/usr/bin/env python
"""Build the two sample GeoTIFFs shipped in ``data/rasters/``.

    python scripts/build_sample_rasters.py            # (re)write data/rasters/*.tif + MANIFEST.json
    python scripts/build_sample_rasters.py --check    # rebuild in a temp folder, compare with the shipped files

Needs only the app's own requirements (rasterio, shapely, pyproj, numpy)
and ``data/base/land.geojson`` / ``bays.geojson``. About 5 s. The output is
deterministic: the same GDAL and zlib build (recorded in MANIFEST.json)
gives the same sha256; another build may compress differently, so
``--check`` then compares pixels, tags and georeferencing instead of bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import rasterio  # noqa: E402

from geo.raster.samples import BUILDERS, RASTER_DIR, SAMPLE_RASTERS  # noqa: E402

MANIFEST = "MANIFEST.json"
#: A shipped sample must stay well under 1 MB (it is in git).
MAX_BYTES = 1_000_000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out_dir: Path) -> dict:
    """Build every sample into ``out_dir``; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    by_file = {s.file: s for s in SAMPLE_RASTERS}
    for name, builder in BUILDERS.items():
        t0 = time.perf_counter()
        path = builder(out_dir / name)
        size = path.stat().st_size
        if size >= MAX_BYTES:
            raise SystemExit(f"CHECK FAILED: {name} is {size:,} bytes (limit {MAX_BYTES:,})")
        meta = by_file[name]
        files[name] = {
            "sha256": sha256(path),
            "size": size,
            "synthetic": meta.is_synthetic,
            "licence": meta.licence,
        }
        print(f"{name}: {size:,} bytes in {time.perf_counter() - t0:.1f} s")
    return {
        "generated_by": "scripts/build_sample_rasters.py",
        "gdal": rasterio.__gdal_version__,
        "rasterio": rasterio.__version__,
        "numpy": np.__version__,
        "files": files,
    }


def same_content(a: Path, b: Path) -> list[str]:
    """Differences in pixels, tags, CRS or transform between two GeoTIFFs."""
    diffs = []
    with rasterio.open(a) as x, rasterio.open(b) as y:
        if x.profile["crs"] != y.profile["crs"] or x.transform != y.transform or x.shape != y.shape:
            diffs.append("georeferencing or size")
        elif not np.array_equal(x.read(1), y.read(1)):
            diffs.append("pixels")
        if x.tags() != y.tags():
            diffs.append("tags")
        if x.overviews(1) != y.overviews(1):
            diffs.append("overviews")
    return diffs


def check() -> int:
    """Rebuild in a temp folder and compare with the shipped files; 0 when identical."""
    shipped = json.loads((RASTER_DIR / MANIFEST).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        fresh = build(Path(tmp))
        same_build = shipped["gdal"] == fresh["gdal"]
        bad = 0
        for name, meta in fresh["files"].items():
            if same_build:
                ok = meta["sha256"] == shipped["files"][name]["sha256"] == sha256(RASTER_DIR / name)
                print(f"{name}: {'identical bytes' if ok else 'DIFFERENT bytes'}")
            else:
                diffs = same_content(Path(tmp) / name, RASTER_DIR / name)
                ok = not diffs
                print(f"{name}: GDAL {fresh['gdal']} vs {shipped['gdal']}: "
                      f"{'same content' if ok else 'DIFFERENT ' + ', '.join(diffs)}")
            bad += not ok
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="rebuild in a temp folder and compare")
    ap.add_argument("--out", type=Path, default=RASTER_DIR, help="output folder (default data/rasters)")
    args = ap.parse_args(argv)
    if args.check:
        return check()
    manifest = build(args.out)
    (args.out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out / MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
