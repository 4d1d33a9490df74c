"""Browser loads in the benchmark start on a quiet machine (bench/browser.py ``settle``), and say when they could not."""

from __future__ import annotations

import pytest

from bench import browser


class FakeMachine:
    """CPU counters that advance by one busy fraction per window, a clock that moves only when slept."""

    def __init__(self, busy_per_window: list[float], jiffies: int = 100):
        self.busy = list(busy_per_window)
        self.jiffies = jiffies
        self.now = 0.0
        self.counters = (0, 0)
        self.reads = 0

    def read(self):
        self.reads += 1
        return self.counters

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        share = self.busy.pop(0) if self.busy else self.busy_last
        self.busy_last = share
        busy, total = self.counters
        self.counters = (busy + round(share * self.jiffies), total + self.jiffies)

    def clock(self) -> float:
        return self.now


@pytest.mark.parametrize("busy, waited, settled", [
    ([0.0, 0.0], 0.5, True),                         # quiet: two windows, no more
    ([0.9, 0.9, 0.1, 0.1], 1.0, True),               # a page winding down: waits for it
    ([0.1, 0.9, 0.1, 0.2], 1.0, True),               # quiet windows must be in a row
    ([0.2, 0.2], 0.5, True),                         # at the limit counts as quiet
    ([0.21] * 200, 3.0, False),                      # never quiet: starts anyway after max_s, and says so
])
def test_settle_waits_for_quiet_windows_in_a_row(busy, waited, settled):
    m = FakeMachine(busy)
    got_waited, got_settled = browser.settle(busy_max=0.2, windows=2, window_s=0.25, max_s=3.0,
                                             read=m.read, sleep=m.sleep, clock=m.clock)
    assert got_waited == pytest.approx(waited)
    assert got_settled is settled


def test_without_cpu_figures_it_does_not_wait():
    slept = []
    assert browser.settle(read=lambda: None, sleep=slept.append) == (0.0, True)
    assert slept == []


def test_cpu_times_reads_busy_and_total_and_leaves_stolen_time_out(tmp_path):
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal
    stat.write_text("cpu  100 5 50 800 20 3 2 400 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n", encoding="ascii")
    assert browser.cpu_times(str(stat)) == (160, 980)
    assert browser.cpu_times(str(tmp_path / "missing")) is None


def test_each_load_records_its_wait_in_the_result(monkeypatch):
    waits = iter([(0.5, True), (30.2, False), (1.0, True)])

    def one_run(self, url, expected, timeout_s, start_selector=None, probe=None):
        self.last_settle = next(waits)
        return 800.0, 7, 0, [], None, 800.0, None

    monkeypatch.setattr(browser.Browser, "one_run", one_run)
    res = browser.Browser().time_to_drawn("http://127.0.0.1/p.html", 10, runs=3).as_dict()
    assert res["settle_s"] == [0.5, 30.2, 1.0]
    assert res["unsettled"] == 1
    assert res["runs_ms"] == [800.0] * 3
