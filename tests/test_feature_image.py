"""Tests for audioviz.FeatureImage: one drawn Feature that updates in place and says what changed."""
from __future__ import annotations

import gc
import weakref

import matplotlib
import pytest
import torch
from matplotlib.figure import Figure

import audioviz

SR = 16000


@pytest.fixture
def wave():
    torch.manual_seed(0)
    return torch.randn(SR) * 0.1


def _axes():
    return Figure(figsize=(4, 3)).add_subplot()


def test_update_reports_what_changed(wave):
    drawn = audioviz.FeatureImage(audioviz.spectrogram(wave, SR, n_fft=256).to_db(), ax=_axes())
    same = drawn.update(audioviz.spectrogram(wave * 2, SR, n_fft=256).to_db())
    assert not (same.extent or same.axis or same.limits or same.unit or same.layout)
    finer = drawn.update(audioviz.spectrogram(wave, SR, n_fft=1024).to_db())
    assert finer.extent and finer.limits and not finer.axis and not finer.layout
    mel = drawn.update(audioviz.mel_spectrogram(wave, SR, n_mels=40).to_db())
    assert mel.axis and mel.layout and drawn.axis_kind == "mel"
    power = drawn.update(audioviz.mel_spectrogram(wave, SR, n_mels=40))
    assert power.unit and drawn.colorbar.ax.get_ylabel() == "power"


def test_limits_set_by_hand_stay(wave):
    drawn = audioviz.FeatureImage(audioviz.spectrogram(wave, SR, n_fft=256).to_db(), ax=_axes())
    drawn.ax.set_ylim(0, 3970)
    changes = drawn.update(audioviz.spectrogram(wave, SR, n_fft=64).to_db())
    assert drawn.ax.get_ylim() == (0, 3970) and not changes.limits


def test_a_zoom_stays_through_many_updates_and_home_follows_again(wave):
    """A zoom was kept by the first update only: the zoomed view was then remembered as the
    image's own, and the second update replaced it by the whole image."""
    drawn = audioviz.FeatureImage(audioviz.spectrogram(wave, SR, n_fft=512).to_db(), ax=_axes())
    home = (drawn.ax.get_xlim(), drawn.ax.get_ylim())
    drawn.ax.set_xlim(0.25, 0.5)
    drawn.ax.set_ylim(0, 2000)
    for n_fft in (256, 1024, 64, 512):
        drawn.update(audioviz.spectrogram(wave, SR, n_fft=n_fft).to_db())
        assert (drawn.ax.get_xlim(), drawn.ax.get_ylim()) == ((0.25, 0.5), (0, 2000)), n_fft
    drawn.ax.set_xlim(*home[0])  # back home (n_fft 512 again): the limits follow the image again
    drawn.ax.set_ylim(*home[1])
    drawn.update(audioviz.spectrogram(wave, SR, n_fft=64).to_db())
    assert drawn.ax.get_ylim() == (-125.0, 8125.0)  # half a 250 Hz bin beyond 0 and 8 kHz
    drawn.update(audioviz.spectrogram(wave, SR, n_fft=256).to_db())
    assert drawn.ax.get_ylim() == (-31.25, 8031.25)


def test_of_finds_the_object_and_refuses_other_images(wave):
    ax = _axes()
    image = audioviz.plot_feature(audioviz.spectrogram(wave, SR).to_db(), ax=ax)
    assert audioviz.FeatureImage.of(image).image is image
    with pytest.raises(TypeError, match="image must be an AxesImage returned by audioviz.plot_feature"):
        audioviz.FeatureImage.of(ax.imshow([[0, 1]]))


def test_no_attribute_is_set_on_matplotlib_objects(wave):
    ax = _axes()
    plain = ax.imshow([[0.0, 1.0]])
    ax.figure.colorbar(plain)  # matplotlib's own bookkeeping (colorbar_cid) is expected
    plain = vars(plain).keys()
    image = audioviz.plot_feature(audioviz.mel_spectrogram(wave, SR, n_mels=128, n_fft=256).to_db(), ax=ax)
    assert set(vars(image)) == set(plain)
    assert not [name for obj in (ax, ax.figure, image) for name in vars(obj) if "audioviz" in name]


def test_a_dropped_figure_is_freed(wave):
    ax = _axes()
    image = audioviz.plot_feature(audioviz.spectrogram(wave, SR).to_db(), ax=ax)
    ref = weakref.ref(image)
    del image, ax
    gc.collect()
    assert ref() is None


def test_pyplot_colorbar_works_after_plot_feature(wave):
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"backend": "agg"}):
        plt.figure()
        image = audioviz.plot_feature(audioviz.spectrogram(wave, SR).to_db(), colorbar=False)
        assert plt.colorbar().mappable is image
        plt.close("all")
