"""`flask seed`: one named list of loaders, run after the ones they build on; loading twice adds nothing."""

import pytest

from community import reference
from community.reference import Loader


def test_loaders_run_after_what_they_name():
    names = [item.name for item in reference.in_order([
        Loader("news", lambda: 0, after=("trials",)), Loader("categories", lambda: 0), Loader("trials", lambda: 0)])]
    assert names.index("trials") < names.index("news")
    assert names.index("categories") < names.index("trials")  # list order otherwise


def test_loaders_waiting_on_each_other_are_refused():
    with pytest.raises(RuntimeError, match="wait on each other"):
        reference.in_order([Loader("a", lambda: 0, after=("b",)), Loader("b", lambda: 0, after=("a",))])


def test_two_loaders_with_one_name_are_refused():
    with pytest.raises(RuntimeError, match="share a name"):
        reference.in_order([Loader("a", lambda: 0), Loader("a", lambda: 1)])


def test_the_factory_names_every_features_loader(app):
    with app.app_context():
        loaders = {item.name: item.func for item in reference.loaders()}
    assert list(loaders) == ["symptom catalogue", "medication catalogue", "lab catalogue", "lupus trials",
                             "forum categories", "research news"]
    assert {func.__module__ for func in loaders.values()} == {
        "community.tracking.seed", "community.trials.seed", "community.forum.seed", "community.news.seed"}


def test_seeding_twice_adds_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["seed"])
    second = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert " 0 added" not in first.output.split("research news")[1].split("\n")[0]
    assert all(line.endswith(": 0 added") for line in second.output.splitlines() if "added" in line)
