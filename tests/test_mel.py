"""Tests for audioviz._mel's filterbank and DCT, the one definition both the in-memory features and
``audioviz show`` of a file use: torchaudio's ``melscale_fbanks`` and ``create_dct`` are the
reference, in float64 (the same formulas, to rounding) and in float32 (within its own rounding)."""
from __future__ import annotations

import contextlib
import itertools
import math
import warnings

import numpy as np
import pytest
import torch
import torchaudio
from torchaudio.functional.functional import _hz_to_mel as ta_hz_to_mel
from torchaudio.functional.functional import _mel_to_hz as ta_mel_to_hz

from audioviz._mel import dct_matrix, mel_edges_hz, mel_weights

EPS32 = float(np.finfo(np.float32).eps)
SCALES_AND_NORMS = [("htk", None), ("slaney", None), ("slaney", "slaney"), ("htk", "slaney")]


def settings(sample_rate):
    """``(n_fft, n_mels, f_min, f_max)``: full band, a band inside it and 10 Hz at the top."""
    bands = [(0.0, sample_rate / 2), (50.0, sample_rate / 2 - 500), (sample_rate / 2 - 10, sample_rate / 2)]
    return [(n_fft, n_mels, *band) for n_fft, n_mels, band in
            itertools.product([64, 256, 400, 1024, 2048], [1, 16, 64, 128, 256, 512], bands)]


@contextlib.contextmanager
def torch_default_dtype(dtype):
    before = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def torchaudio_bank(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm, dtype=torch.float32):
    """torchaudio's filterbank; with ``dtype=torch.float64`` its own code runs in float64."""
    with warnings.catch_warnings(), torch_default_dtype(dtype):
        warnings.simplefilter("ignore")  # its empty-filter warning
        return torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sample_rate, norm,
                                                     mel_scale).double().numpy()


def assert_within(difference, tolerance, setting):
    """Every ``difference`` (n_freqs, n_mels) at most its filter's ``tolerance`` (n_mels,)."""
    ratio = float((difference / tolerance).max())
    assert ratio <= 1.0, f"{setting}: a weight differs by {ratio:.3g} times the tolerance"


def filter_scale(edges, norm):
    """Each filter's peak: 1, or the slaney normalisation's ``2 / width``."""
    return 2.0 / (edges[2:] - edges[:-2]) if norm == "slaney" else np.ones(edges.size - 2)


@pytest.mark.parametrize("sample_rate", [8000, 8001, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("mel_scale, norm", SCALES_AND_NORMS)
def test_the_filterbank_is_torchaudios_formula(sample_rate, mel_scale, norm):
    for n_fft, n_mels, f_min, f_max in settings(sample_rate):
        ours = mel_weights(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm, dtype=np.float64)
        theirs = torchaudio_bank(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm, torch.float64)
        edges = mel_edges_hz(f_min, f_max, n_mels, mel_scale)
        peak = filter_scale(edges, norm)
        assert_within(np.abs(ours - theirs), 1e-9 * peak, (n_fft, n_mels, f_min, f_max))
        # the same empty filters, but for one that torchaudio's round trip through mel fills by
        # rounding: the last, when a bin lies on its upper edge f_max (it gives that bin ~1e-14)
        differ = np.flatnonzero((ours.max(axis=0) <= 0) != (theirs.max(axis=0) <= 0))
        bins = np.linspace(0.0, sample_rate // 2, n_fft // 2 + 1)
        for j in differ:
            assert j == n_mels - 1 and f_max in bins and ours[:, j].max() == 0.0, (n_fft, n_mels, f_min, f_max, j)
            assert 0 < theirs[:, j].max() < 1e-9 * peak[j]


@pytest.mark.parametrize("sample_rate", [8000, 8001, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize("mel_scale, norm", SCALES_AND_NORMS)
def test_torchaudios_float32_filterbank_differs_from_ours_by_its_rounding_only(sample_rate, mel_scale, norm):
    """torchaudio computes its edges and bins in float32: a weight ``(f - lo) / (c - lo)`` moves by
    at most what those move, over the filter's width (0.1 of the peak for 10 Hz at 48 kHz in 512
    filters, whose edges are 0.02 Hz apart; 4e-5 over the full band)."""
    for n_fft, n_mels, f_min, f_max in settings(sample_rate):
        ours = mel_weights(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)
        theirs = torchaudio_bank(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm)
        edges = mel_edges_hz(f_min, f_max, n_mels, mel_scale)
        their_edges = ta_mel_to_hz(torch.linspace(ta_hz_to_mel(f_min, mel_scale), ta_hz_to_mel(f_max, mel_scale),
                                                  n_mels + 2), mel_scale).double().numpy()
        their_bins = torch.linspace(0, sample_rate // 2, n_fft // 2 + 1).double().numpy()
        moved = np.abs(their_edges - edges)
        edge_moves = np.maximum(np.maximum(moved[:-2], moved[1:-1]), moved[2:])
        bin_moves = np.abs(their_bins - np.linspace(0.0, sample_rate // 2, n_fft // 2 + 1)).max()
        widths = np.diff(edges)
        bound = (3 * edge_moves + bin_moves) / np.minimum(widths[:-1], widths[1:]) + 4 * EPS32
        assert_within(np.abs(ours - theirs), bound * filter_scale(edges, norm), (n_fft, n_mels, f_min, f_max))


@pytest.mark.parametrize("norm", ["ortho", None])
@pytest.mark.parametrize("n_mfcc, n_mels", [(1, 1), (13, 40), (20, 64), (40, 128), (128, 128), (64, 512)])
def test_the_dct_is_torchaudios(n_mfcc, n_mels, norm):
    ours = dct_matrix(n_mfcc, n_mels, norm, dtype=np.float64)
    with torch_default_dtype(torch.float64):
        theirs = torchaudio.functional.create_dct(n_mfcc, n_mels, norm).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)
    # torchaudio's float32 cosines: their argument, up to pi * n_mfcc, is rounded to float32
    top = float(np.abs(ours).max())
    float32 = torchaudio.functional.create_dct(n_mfcc, n_mels, norm).double().numpy()
    np.testing.assert_allclose(dct_matrix(n_mfcc, n_mels, norm), float32, rtol=0,
                               atol=2 * EPS32 * math.pi * n_mfcc * top)
    assert dct_matrix(n_mfcc, n_mels, norm).dtype == np.float32
