"""The garbage collector's settings for a run (orchestration/gc_tuning.py): what lives before a run is frozen
while it runs and collectable again afterwards; the command line freezes everything as it exits."""
import gc
import weakref

import pytest


class Marker:
    pass


@pytest.fixture(autouse=True)
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_alive_before_a_run_are_frozen_during_it_and_released_after_even_when_it_fails():
    from orchestration.gc_tuning import long_lived_objects_frozen

    with pytest.raises(RuntimeError):
        with long_lived_objects_frozen():
            assert gc.get_freeze_count() > 1000  # modules, classes, functions of this process
            raise RuntimeError("run failed")
    assert gc.get_freeze_count() == 0


def test_garbage_made_during_a_run_is_still_collected():
    from orchestration.gc_tuning import long_lived_objects_frozen

    with long_lived_objects_frozen():
        marker = Marker()
        marker.self = marker  # a reference cycle: only the collector can free it
        alive = weakref.ref(marker)
        del marker
        gc.collect()
        assert alive() is None


def test_the_command_line_freezes_what_is_left_as_it_exits(monkeypatch):
    from orchestration import cli

    def app():
        raise SystemExit(0)

    monkeypatch.setattr(cli, "app", app)
    with pytest.raises(SystemExit):
        cli.run()
    assert gc.get_freeze_count() > 1000
