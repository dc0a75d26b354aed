"""Pictures drawn ahead (audioviz/widgets/_ahead.py), without a browser.

The promise is that a picture the page paints ahead of the kernel is the explorer's own: the
same bytes and readout the explorer sends when it takes that step itself. These tests take every
neighbour drawn ahead, take the step for real, and compare. tests/test_jupyterlab.py presses the
keys in JupyterLab.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import audioviz
from audioviz.widgets import _ahead
from audioviz.widgets._controls import option_values


@pytest.fixture
def chirp():
    torch.manual_seed(0)
    t = torch.arange(48000) / 16000
    return 0.4 * torch.sin(2 * torch.pi * (300 + 500 * t) * t) + 0.02 * torch.randn(48000)


def _shown(explorer):
    """The explorer as a notebook shows it (inline backend), with what it sends recorded."""
    explorer.widget  # noqa: B018 - builds the picture widget and the drawing ahead
    sent = []
    explorer._picture.send = lambda content, buffers=None: sent.append((content, buffers))
    return sent


def _move_of(explorer, key, base):
    """The control and value that ``key`` (a page key) differs in from the settings ``base``."""
    current = _ahead.state_key(explorer.controls, base)
    (i,) = [i for i, (a, b) in enumerate(zip(key, current)) if a != b]
    name = list(explorer.controls)[i]
    control = explorer.controls[name]
    return name, option_values(control)[key[i]] if hasattr(control, "options") else key[i]


def _check_every_neighbour(explorer, sent) -> int:
    base = explorer.params
    ahead = [(content, buffers) for content, buffers in sent if "ahead" in content]
    assert ahead, "nothing was drawn ahead"
    for content, buffers in ahead:
        name, value = _move_of(explorer, content["ahead"], base)
        explorer.set(**{name: value})
        assert bytes(explorer._picture.value) == bytes(buffers[0]), f"{name}={value!r}: another picture"
        assert explorer.readout.value == content["readout"], f"{name}={value!r}: another readout"
        # the explorer's own picture goes under its settings after its rules (win_length follows n_fft)
        assert explorer._picture.key == _ahead.state_key(explorer.controls, explorer.params)
        explorer.set(**base)
    return len(ahead)


@pytest.mark.parametrize("settings", [
    {},
    {"y_axis": "mel", "n_mels": 96, "f_min": 200.0},
    {"n_fft": 2048, "hop_length": 64, "f_max": 4000.0},
    {"y_axis": "log", "cmap": "viridis", "window": "hamming", "win_length": 300},
])
def test_every_picture_drawn_ahead_is_the_explorers_own(chirp, settings):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    explorer.set(**settings)
    sent.clear()
    n = explorer._ahead.run()
    assert n >= 8  # two neighbours on most sliders
    assert _check_every_neighbour(explorer, sent) == n


def test_mel_explorer_pictures_drawn_ahead_are_its_own(chirp):
    explorer = audioviz.MelExplorer(chirp, 16000)
    sent = _shown(explorer)
    explorer.set(n_mels=40, f_max=6000.0)
    sent.clear()
    assert explorer._ahead.run() >= 5
    _check_every_neighbour(explorer, sent)


def test_drawing_ahead_leaves_the_explorer_itself_untouched(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    _shown(explorer)
    explorer.set(hop_length=100)
    params, image = explorer.params, np.array(explorer.image.get_array())
    pixels, ylim = explorer.to_rgba().copy(), explorer.ax.get_ylim()
    explorer._ahead.run()
    assert explorer.params == params
    assert np.array_equal(np.asarray(explorer.image.get_array()), image)
    assert np.array_equal(explorer.to_rgba(), pixels) and explorer.ax.get_ylim() == ylim
    assert explorer._ahead._shadow is not explorer and explorer._ahead._shadow.figure is not explorer.figure


def test_the_page_key_is_each_controls_index_or_number(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000, n_fft=1024, window="hamming", cmap="viridis")
    key = _ahead.state_key(explorer.controls, explorer.params)
    names = list(explorer.controls)
    assert key[names.index("n_fft")] == 4  # 64, 128, 256, 512, 1024
    assert key[names.index("window")] == 1 and key[names.index("cmap")] == 1
    assert key[names.index("hop_length")] == 256 and key[names.index("f_max")] == 8000.0
    kinds = explorer.widget and explorer._picture.kinds
    assert kinds[names.index("n_fft")] == "index" and kinds[names.index("hop_length")] == "value"


def test_neighbours_are_one_arrow_key_away_on_enabled_sliders(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000, n_fft=64, hop_length=16)
    _shown(explorer)
    planned = {(name, value) for _, name, value in explorer._ahead._plan({})} - {(None, None)}
    assert ("n_fft", 128) in planned and not any(n == "n_fft" and v == 32 for n, v in planned)
    assert ("hop_length", 17) in planned and ("hop_length", 15) not in planned  # 16 is the minimum
    assert not any(name in ("window", "y_axis", "cmap", "n_mels") for name, _ in planned)  # dropdowns; disabled


def test_the_control_just_moved_is_drawn_ahead_first_in_its_direction(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    _shown(explorer)
    plan = [(name, value) for _, name, value in explorer._ahead._plan({"hop_length": -1})]
    assert plan[:3] == [(None, None), ("hop_length", 127), ("hop_length", 129)]  # the shadow catches up first
    plan = [(name, value) for _, name, value in explorer._ahead._plan({"n_fft": +1})]
    assert plan[:3] == [(None, None), ("n_fft", 1024), ("n_fft", 256)]


def test_a_dear_step_is_not_drawn_ahead(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    _shown(explorer)
    explorer._ahead.after_step({"n_fft": 1}, seconds=explorer._ahead.budget * 2)
    assert explorer._ahead._queue == []
    explorer._ahead.after_step({"n_fft": 1}, seconds=0.0)
    assert explorer._ahead._queue  # planned (drawn when an event loop is idle)


def test_a_long_recording_gets_no_shadow_copy(chirp, monkeypatch):
    monkeypatch.setattr(_ahead, "MAX_SAMPLES", 1000)
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    explorer._ahead.after_step({}, seconds=0.0)
    assert explorer._ahead._queue == [] and explorer._ahead._shadow is None and not sent


def test_what_the_page_holds_is_mirrored_and_bounded(chirp, monkeypatch):
    monkeypatch.setattr(_ahead.Ahead, "capacity", 4)
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    ahead = explorer._ahead
    first = explorer._picture.key
    assert ahead.holds(first)  # the picture the page got first
    assert ahead.run() >= 4
    assert len(ahead._held) == 4 and not ahead.holds(first)  # the oldest went, as in the page
    sent.clear()
    assert ahead.run() > 0  # what the page no longer holds is drawn again
    ahead._on_page_message(explorer._picture, {"hello": True}, [])  # a reloaded page holds nothing
    assert len(ahead._held) == 0


def test_turning_drawing_ahead_off_forgets_and_sends_no_key(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    explorer._ahead.run()
    explorer.draw_ahead = False
    assert sent[-1][0] == {"forget": True} and not explorer._ahead._held
    assert explorer._ahead._shadow is not None  # kept: making it again would hold up the next keys
    explorer.set(hop_length=100)
    assert explorer._picture.key == []  # the page can match it to no settings
    with pytest.raises(TypeError, match="draw_ahead must be True or False"):
        explorer.draw_ahead = "no"


def test_an_error_while_drawing_ahead_stays_out_of_the_explorer(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    ahead = explorer._ahead
    shadow = ahead._get_shadow()

    def broken(**_):
        raise RuntimeError("kaboom")

    shadow._compute_power = broken
    assert ahead.run() == 0 and not sent
    assert explorer.error is None and explorer.status.value == ""
    explorer.set(hop_length=100)  # the explorer itself still steps
    assert explorer.error is None


def test_a_new_size_forgets_the_pictures_drawn_ahead(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    explorer._ahead.run()
    explorer.figure.set_dpi(50)
    explorer.redraw()
    assert {"forget": True} in [content for content, _ in sent]
    sent.clear()
    explorer._ahead.run()
    name, value = _move_of(explorer, sent[0][0]["ahead"], explorer.params)
    explorer.set(**{name: value})
    assert bytes(explorer._picture.value) == bytes(sent[0][1][0])  # drawn at the new size


def test_a_step_tells_which_way_each_control_moved(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    _shown(explorer)
    seen = []
    explorer._ahead.after_step = lambda moved, seconds: seen.append(moved)
    explorer.controls["top_db"].value = 85.0
    explorer.controls["top_db"].value = 80.0
    explorer.controls["n_fft"].value = 1024
    assert seen == [{"top_db": 1}, {"top_db": -1}, {"n_fft": 1}]


def test_the_shadow_is_made_soon_after_showing_even_while_keys_keep_coming(chirp, monkeypatch):
    import asyncio

    monkeypatch.setattr(_ahead.Ahead, "quiet", 0.3)

    async def scenario():
        explorer = audioviz.SpectrogramExplorer(chirp, 16000)
        sent = _shown(explorer)  # shown inside a running event loop, as in a kernel
        ahead = explorer._ahead
        early = []
        for value in range(129, 135):  # a key every 0.1 s: no pause as long as the quiet time
            await asyncio.sleep(0.1)
            early.append(ahead._shadow is not None)
            explorer.controls["hop_length"].value = value
        await asyncio.sleep(2.0)
        hop = list(explorer.controls).index("hop_length")
        return early, ahead._shadow is not None, [content["ahead"][hop] for content, _ in sent if "ahead" in content]

    early, made, hops = asyncio.run(scenario())
    assert early[:2] == [False, False] and made and early[-1]  # made 0.3 s after showing, keys or not
    assert 135 in hops  # and the neighbours of the last setting are drawn


def test_a_float_sliders_key_is_rounded_as_the_page_rounds_it(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    names = list(explorer.controls)
    # an arrow key on the top_db slider in the page gives 45 + 5 = 50.00000000000001
    key = _ahead.state_key(explorer.controls, {**explorer.params, "top_db": 50.00000000000001})
    assert key[names.index("top_db")] == 50.0
    assert _ahead.state_key(explorer.controls, {**explorer.params, "top_db": 50.5})[names.index("top_db")] == 50.5


def test_settings_set_from_code_are_drawn_ahead_even_when_that_step_was_dear(chirp):
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    _shown(explorer)
    ahead = explorer._ahead
    ahead.after_step({"top_db": -1, "f_min": 1}, seconds=ahead.budget * 2)  # explorer.set(...) of two
    assert ahead._queue
    ahead.after_step({"top_db": 1}, seconds=ahead.budget * 2)  # one key that was dear
    assert ahead._queue == []


def test_a_view_changed_outside_a_step_forgets_what_the_page_holds(chirp):
    """Limits set outside a step (ipympl's zoom, pan and home; code in a cell) make every picture
    drawn ahead wrong: the page is told to forget them, and nothing is drawn ahead while the
    figure shows another view than its shadow would at the same settings."""
    explorer = audioviz.SpectrogramExplorer(chirp, 16000)
    sent = _shown(explorer)
    assert explorer._ahead.run() > 0
    sent.clear()
    explorer.controls["hop_length"].value += 1  # a step moves limits itself: nothing is forgotten
    assert not [content for content, _ in sent if "forget" in content]
    assert explorer._ahead.run() > 0
    sent.clear()
    ax = explorer.figure.axes[0]
    home = ax.get_xlim()
    ax.set_xlim(0.5, 1.5)  # a zoom
    assert [content for content, _ in sent if "forget" in content] and not explorer._ahead._held
    assert explorer._ahead.run() == 0  # zoomed: the shadow would draw the whole clip
    explorer.controls["top_db"].value += 5  # a step while zoomed: the zoom stays, nothing drawn ahead
    assert explorer._ahead.run() == 0 and ax.get_xlim() == (0.5, 1.5)
    ax.set_xlim(*home)  # back home (ipympl's button): the explorer's own view again
    explorer.set(hop_length=explorer.params["hop_length"] + 1)
    sent.clear()
    assert explorer._ahead.run() > 0
    assert _check_every_neighbour(explorer, sent) > 0


def test_ipympl_explorers_draw_ahead_on_a_plain_agg_shadow():
    """With ipympl (run apart: it changes the backend) the shadow is a plain Agg figure (no
    second ipympl canvas), the page's widget points at ipympl's canvas and carries no picture of
    the kernel's (ipympl sends those), and every picture drawn ahead, a lossless PNG, holds the
    very pixels ipympl's canvas holds after the step, after ipympl's own full draws too."""
    import importlib.util
    import subprocess
    import sys
    import textwrap

    if importlib.util.find_spec("ipympl") is None:
        pytest.skip("ipympl is not installed (pip install audioviz[widget])")
    code = textwrap.dedent(
        """
        import matplotlib
        matplotlib.use("module://ipympl.backend_nbagg")
        import io
        import ipywidgets, numpy as np, torch, audioviz
        from PIL import Image
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        torch.manual_seed(0)
        explorer = audioviz.SpectrogramExplorer(torch.randn(24000) * 0.1, 16000)
        box = explorer.widget
        canvas, picture = explorer.figure.canvas, explorer._picture
        assert picture.target is canvas and picture in box.children[0].children
        assert picture.layout.display == "none" and bytes(picture.value) == b""
        # ipympl's page asks for a full draw when it connects (and on resizes): ipympl's own
        canvas._handle_message(canvas, {"type": "resize", "width": 800, "height": 340}, [])
        canvas._handle_message(canvas, {"type": "draw"}, [])
        sent = []
        picture.send = lambda content, buffers=None: sent.append((content, buffers))
        ahead = explorer._ahead
        assert ahead.run() > 0
        assert type(ahead._shadow.figure.canvas) is FigureCanvasAgg
        base, names, checked = explorer.params, list(explorer.controls), 0
        for content, buffers in sent:
            if "ahead" not in content:
                continue
            moved = {n: v for n, v in zip(names, content["ahead"])
                     if not hasattr(explorer.controls[n], "options") and v != base[n]}
            if len(moved) != 1:
                continue
            explorer.set(**moved)
            shown = np.asarray(Image.open(io.BytesIO(bytes(buffers[0]))).convert("RGBA"))
            np.testing.assert_array_equal(shown, np.asarray(canvas.get_renderer().buffer_rgba()))
            assert explorer.readout.value == content["readout"]
            assert picture.key == ahead.key(explorer.params)  # the page learns what ipympl shows
            explorer.set(**base)
            checked += 1
        assert checked >= 4, checked
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
