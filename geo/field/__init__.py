"""The offline field client: what it downloads, what it sends back, its own files (no Streamlit, no database).

* :mod:`~geo.field.pack` — the field pack: the inspector's towns, their sites
  (status, step, deadline, key attributes, geometry) and each kind's workflow,
  fields and required fields per transition, derived from the layer specs;
  JSON, versioned, named by its content (ETag).
* :mod:`~geo.field.changes` — a change as the device sends it, checked field
  by field, and the evidence of its capture fix.
* :mod:`~geo.field.uploads` — photos uploaded in chunks that survive a dropped
  connection, named by their content hash.
* :mod:`~geo.field.i18n` — the client's Chinese and English text.
* :mod:`~geo.field.shell` — the files of the installable app (``static/``),
  its manifest and icons, and the version that names them.

The HTTP routes are in :mod:`geo.web.field_api` and :mod:`geo.web.field_static`;
the store's side in :mod:`geo.store.sync`.
"""
