"""`flask seed`: loaders run after the ones they build on, and loading twice adds nothing."""

import pytest

from community import reference


def test_loaders_run_after_what_they_name(monkeypatch):
    monkeypatch.setattr(reference, "_loaders", {})
    reference.loader("news", after=("trials",))(lambda: 0)
    reference.loader("categories")(lambda: 0)
    reference.loader("trials")(lambda: 0)
    names = [item.name for item in reference.in_order()]
    assert names.index("trials") < names.index("news")


def test_loaders_waiting_on_each_other_are_refused(monkeypatch):
    monkeypatch.setattr(reference, "_loaders", {})
    reference.loader("a", after=("b",))(lambda: 0)
    reference.loader("b", after=("a",))(lambda: 0)
    with pytest.raises(RuntimeError, match="wait on each other"):
        reference.in_order()


def test_seeding_twice_adds_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["seed"])
    second = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert " 0 added" not in first.output.split("research news")[1].split("\n")[0]
    assert all(line.endswith(": 0 added") for line in second.output.splitlines() if "added" in line)
