"""Chinese for Streamlit's own widgets, a Chinese reconnect notice, drafts forgotten on logout.

Streamlit has no locale setting: the English of its file uploader ("Upload",
"50MB per file"), multiselect ("Select all"), text areas ("Press Ctrl+Enter to
apply"), connection dialog ("Connection error") and a few more lives in its
frontend bundle. A hidden component (``ui/components/page_helper/``, served
from the app's own origin, so it may work on the page) replaces exactly the
strings below, and only inside the Streamlit parts named by ``within`` — the
app's own content (site names, notes) is never touched. The browser tests scan
every page's visible text for the English strings.

When the connection drops, Streamlit's English dialog covers the form; the
helper closes it and shows :data:`NOTICE` instead, which covers nothing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from ui.i18n import lang

_component = components.declare_component(
    "onemap_page_helper", path=str(Path(__file__).parent / "components" / "page_helper"))

#: Streamlit's English, by the part of its UI it appears in: (CSS selector, exact strings, patterns).
#: Patterns are JavaScript regular expressions matched against the whole (trimmed) text.
ZH_GROUPS: tuple[tuple[str, dict[str, str], tuple[tuple[str, str], ...]], ...] = (
    ('[data-testid="stFileUploader"]', {
        "Drag and drop files here": "拖放文件到这里",
        "Drag and drop a file here": "拖放文件到这里",
        "Upload": "选择文件",
        "Browse files": "选择文件",
        "Delete": "删除",
        "Remove": "删除",
        "Show more": "显示更多",
        "Show less": "收起",
    }, (
        (r"^(\d+(?:\.\d+)?\s?[KMGT]?B) per file$", "每个文件不超过 $1"),
        (r"^•\s*(.+)$", "· 格式：$1"),
        (r"^File type not allowed\.?$", "文件类型不受支持"),
        (r"^File must be (.+) or smaller\.?$", "文件不能超过 $1"),
    )),
    ('[data-testid="InputInstructions"]', {
        "Press Ctrl+Enter to apply": "按 Ctrl+Enter 确认",
        "Press ⌘+Enter to apply": "按 ⌘+Enter 确认",
        "Press Enter to apply": "按回车确认",
        "Press Ctrl+Enter to submit form": "按 Ctrl+Enter 提交",
        "Press ⌘+Enter to submit form": "按 ⌘+Enter 提交",
        "Press Enter to submit form": "按回车提交",
    }, ()),
    ('[role="listbox"], .stMultiSelectDropdown, .stSelectboxDropdown, [data-baseweb="popover"], [data-baseweb="menu"]', {
        "Select all": "全选",
        "No results": "无匹配项",
    }, (
        (r"^Select (\d+) matches$", "选择 $1 个匹配项"),
        (r"^Add: (.*)$", "添加：$1"),
    )),
    ('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]', {
        "Clear all": "全部清除",
        "Clear value": "清除",
        "Open": "展开选项",
        "Close": "收起选项",
        "Choose an option": "请选择",
        "Choose options": "请选择",
        "No options to select": "无可选项",
        "No results": "无匹配项",
    }, ()),
    ('section[role="dialog"]', {
        "Connection error": "网络连接中断",
        "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
            "无法连接服务器，正在重试……",
        "Page not found": "页面不存在",
        "Close": "关闭",
        "Try again": "重试",
        "Continue anyway": "仍然继续",
        "Copy to clipboard": "复制",
    }, (
        (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
         "您打开的页面不存在，已转到首页。"),
        (r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. "
         r"Running the app's main page\.$", "页面 /$1 不存在，已转到首页。"),
    )),
    ('[data-testid="stStatusWidget"], [data-testid="stConnectionStatus"]', {
        "Running...": "运行中……",
        "Stop": "停止",
        "Rerun": "重新运行",
        "Connecting": "正在连接",
        "Error": "连接失败",
    }, ()),
    ('[data-testid="stSkipToContent"]', {"Skip to main content": "跳到主要内容"}, ()),
    # The top menu folds the pages that do not fit into "N more" (an administrator's menu at 1024 px).
    ('[data-testid="stTopNavSection"]', {}, ((r"^(\d+) more$", "更多 $1 项"),)),
    ('[data-baseweb="calendar"], [data-baseweb="datepicker"]', {
        **{m: f"{i}月" for i, m in enumerate(
            ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"), start=1)},
        **dict(zip(("Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"), "日一二三四五六")),
        "Previous month.": "上个月",
        "Next month.": "下个月",
    }, ()),
    ('[data-testid="stElementToolbar"], [data-baseweb="tooltip"], [data-testid="stTooltipContent"]', {
        "Download as CSV": "下载 CSV",
        "Search": "搜索",
        "Fullscreen": "全屏",
        "Close fullscreen": "退出全屏",
        "Add row": "添加一行",
        "Delete row(s)": "删除所选行",
        "Delete rows": "删除所选行",
        "Show/hide columns": "显示/隐藏列",
        "Copy to clipboard": "复制",
    }, ()),
)

#: Attributes translated as the text is (tooltips, labels read aloud, placeholders).
ATTRIBUTES = ("aria-label", "title", "placeholder")

#: What the connection notice says: {lang: (offline, online)}.
NOTICE = {
    "zh": ("网络连接中断，正在重新连接……已填写的内容保存在本设备上，恢复连接后自动还原。", "已重新连接。"),
    "en": ("Connection lost; reconnecting… What you typed is kept on this device and restored when the "
           "connection is back.", "Reconnected."),
}

#: The title of Streamlit's connection dialog (and our translation of it), which the helper closes.
CONNECTION_TITLES = ("Connection error", "网络连接中断")

FORGET_KEY = "_forget_drafts_of"
HELPER_KEY = "hidden_page_helper"

#: Width classes the pages are laid out for (CSS pixels of the browser window).
#: phone < 640 (Streamlit stacks columns there too), portrait tablet < 1024, wide from 1024.
WIDTH_CLASSES = ("phone", "portrait", "wide")
#: The cookie in which the helper leaves the screen's width class and height for the next visit.
VIEW_COOKIE = "onemap_view"


def english_strings() -> list[str]:
    """Every exact English string the helper replaces (for the tests' scan of visible text)."""
    return [en for _, exact, _ in ZH_GROUPS for en in exact]


def page_helper() -> None:
    """Render the hidden helper (once per page run, from ``ui.shell``)."""
    from ui.drafts import account_prefix

    zh = lang() == "zh"
    offline, online = NOTICE["zh" if zh else "en"]
    forget = st.session_state.pop(FORGET_KEY, None)
    _component(
        groups=[{"within": within, "exact": exact, "patterns": [list(p) for p in patterns]}
                for within, exact, patterns in ZH_GROUPS] if zh else [],
        attributes=list(ATTRIBUTES),
        notice={"offline": offline, "online": online, "titles": list(CONNECTION_TITLES)},
        forget_prefix=account_prefix(forget) if forget else None,
        # What the page is laid out for (reported, else the cookie's hint, else wide): the browser reports
        # only when its screen differs, so a right guess costs no second run (and no second map).
        width_class=width_class(),
        height=viewport_height(0) or None,
        key=HELPER_KEY,
        default=None,
    )


def parse_view_hint(raw: object) -> tuple[str, int] | None:
    """The width class and height a ``onemap_view`` cookie holds (``"portrait.1024"``), or None.

    The helper writes the cookie whenever it reports the screen, so that the
    first run of the next visit lays the page out for that screen instead of
    wide-then-switch. Anything malformed is ignored (the first run lays out
    wide and the helper's report corrects it).
    """
    if not isinstance(raw, str):
        return None
    cls, _, height = raw.partition(".")
    if cls not in WIDTH_CLASSES or not height.isdigit() or not 200 <= int(height) <= 10000:
        return None
    return cls, int(height)


def _view_hint() -> tuple[str, int] | None:
    try:
        return parse_view_hint(st.context.cookies.get(VIEW_COOKIE))
    except Exception:  # noqa: BLE001 - no browser context (a bare script run): no hint
        return None


def width_class() -> str:
    """``phone``, ``portrait`` or ``wide``, as the browser reported it.

    Before this session's first report: the last visit's, from the cookie,
    else ``wide``.
    """
    value = st.session_state.get(HELPER_KEY)
    cls = value.get("width_class") if isinstance(value, dict) else None
    if cls in WIDTH_CLASSES:
        return cls
    hint = _view_hint()
    return hint[0] if hint else "wide"


def viewport_height(default: int = 800) -> int:
    """The browser window's height in CSS pixels, as last reported (the cookie's, then ``default``)."""
    value = st.session_state.get(HELPER_KEY)
    try:
        if isinstance(value, dict) and value.get("h"):
            return int(value.get("h"))
    except (TypeError, ValueError):
        pass
    hint = _view_hint()
    return hint[1] if hint else default


def is_touch() -> bool:
    value = st.session_state.get(HELPER_KEY)
    return bool(value.get("touch")) if isinstance(value, dict) else False


def forget_drafts(account: str) -> None:
    """Ask the browser to remove ``account``'s drafts on the next run (call before the logout rerun)."""
    st.session_state[FORGET_KEY] = account
