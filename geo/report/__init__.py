"""The town review report: the PDF, its map image, and the Chinese font both embed (pure, offline)."""
