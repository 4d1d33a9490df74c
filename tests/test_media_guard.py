"""Streamlit's media route behind the session (ui/web/media_guard.py): files made on a click have an owner."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui.web import media_guard


def _deferred(mgr: MediaFileManager, placeholder: str, session: str, data: bytes) -> None:
    """A download button's callable as Streamlit registers it during a run of ``session``."""
    mgr._deferred_callables[placeholder] = {"callable": lambda: data, "mimetype": "application/pdf",
                                            "filename": "r.pdf", "coordinates": "c", "session_id": session,
                                            "element_id": "e"}
    mgr._deferred_ids_by_session[session].add(placeholder)


def test_a_file_made_on_a_click_belongs_to_the_session_whose_button_made_it():
    assert media_guard.track_deferred_downloads() and media_guard.track_deferred_downloads()  # idempotent
    mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
    _deferred(mgr, "p-one", "session-A", b"%PDF-1 one")
    _deferred(mgr, "p-two", "session-B", b"%PDF-1 two")
    one = media_guard._file_id_of(mgr.execute_deferred("p-one"))
    two = media_guard._file_id_of(mgr.execute_deferred("p-two"))
    assert one != two
    assert media_guard.DEFERRED.sessions(one) == ["session-A"]
    assert media_guard.DEFERRED.sessions(two) == ["session-B"]
    assert media_guard.DEFERRED.sessions("not-a-file") == []


def test_the_record_keeps_the_newest_files_only():
    files = media_guard.DeferredFiles(limit=2)
    for i in range(3):
        files.record(f"f{i}", f"s{i}")
    assert files.sessions("f0") == [] and files.sessions("f1") == ["s1"] and files.sessions("f2") == ["s2"]
