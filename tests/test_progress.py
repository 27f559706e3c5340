import io

from watcher.progress import Progress


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_draws_only_on_a_terminal():
    pipe = io.StringIO()
    with Progress("fetch", 3, stream=pipe) as p:
        p.advance(3)
    assert pipe.getvalue() == ""
    tty = Tty()
    with Progress("fetch", 4, stream=tty, min_interval=0) as p:
        p.advance(2)
        p.advance(2)
    out = tty.getvalue()
    assert "fetch [" in out and "4/4" in out and out.endswith("\n")
