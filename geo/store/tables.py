"""The store's table names, the same in every backend (QGIS and SQL users see these names)."""

HISTORY_TABLE = "site_history"
INDEX_TABLE = "site_index"
META_TABLE = "store_meta"
USERS_TABLE = "users"
SESSIONS_TABLE = "sessions"
THROTTLE_TABLE = "login_throttle"
ADDR_THROTTLE_TABLE = "login_throttle_addr"
AUDIT_TABLE = "audit_log"
BATCHES_TABLE = "import_batches"
TOWN_BOUNDARIES_TABLE = "town_boundaries"
TOWN_REPLACED_TABLE = "town_boundaries_replaced"
RASTERS_TABLE = "raster_layers"
REFERENCE_TABLE = "reference_areas"
REFERENCE_REPLACED_TABLE = "reference_areas_replaced"
FIELD_CHANGES_TABLE = "field_changes"
FIELD_PHOTOS_TABLE = "field_photos"
FIELD_DEVICES_TABLE = "field_devices"
#: Display geometry of every site (derived from its geometry when written; see geo/store/sitedisplay.py).
DISPLAY_TABLE = "site_display"

#: Every table every backend keeps beside the kind tables, in the order a copy writes them.
TABLES = (META_TABLE, INDEX_TABLE, HISTORY_TABLE, USERS_TABLE, SESSIONS_TABLE, THROTTLE_TABLE, ADDR_THROTTLE_TABLE,
          AUDIT_TABLE, BATCHES_TABLE, TOWN_BOUNDARIES_TABLE, TOWN_REPLACED_TABLE, RASTERS_TABLE, FIELD_CHANGES_TABLE,
          FIELD_PHOTOS_TABLE, FIELD_DEVICES_TABLE, REFERENCE_TABLE, REFERENCE_REPLACED_TABLE, DISPLAY_TABLE)
