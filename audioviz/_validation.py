"""Input checks shared by every public function.

Each check raises a ``ValueError`` or ``TypeError`` that names the parameter, the value it got and
what was expected, so a learner sees what to change instead of a stack trace from inside torch.
"""
from __future__ import annotations

import math
import numbers
import os
import sys
import warnings

import numpy as np

# torch is imported inside the checks that take Tensors: the checks of numbers and settings serve
# audioviz show on a file too, which never imports torch (importing it costs 600 MB).

# Integer PCM is scaled to [-1, 1) by the full range of its type, as soundfile and librosa do
# (bits per integer type; a dict of torch dtypes would need torch at import).
_PCM_BITS = {"int8": 7, "int16": 15, "int32": 31, "int64": 63}


#: Most channels a waveform may have. More is almost always a ``(time, channel)`` array read the
#: wrong way round (16,000 "channels" of 2 samples), which would otherwise draw 16,000 rows.
MAX_CHANNELS = 64
#: Largest sample magnitude accepted. Far beyond any audio scale (32-bit PCM read as floats peaks
#: at 2.1e9), and small enough that power spectra stay finite in float32 for any ``n_fft`` up to
#: 2**20 (larger values overflow to inf and the spectrogram becomes NaN).
MAX_ABS_SAMPLE = 1e12
#: Highest sample rate accepted, in Hz (far above any audio or ultrasound recording).
MAX_SAMPLE_RATE = 1e9


def as_waveform(waveform, *, name: str = "waveform", check_finite: bool = True) -> torch.Tensor:
    """Return ``waveform`` as a float32 Tensor of shape ``(channel, time)``.

    Accepts a torch Tensor or anything numpy can turn into an array, of shape ``(time,)`` or
    ``(channel, time)``. Integer PCM (int8/16/32/64, uint8) is scaled to [-1, 1].
    ``check_finite=False`` skips the check of the values (NaN, Inf, magnitude) for a caller that
    checks on its own (:func:`audioviz.plot_waveform` sees every sample's min and max anyway).

    Raises:
        TypeError: for a non-numeric or boolean input.
        ValueError: for 0-D or 3-D and higher input, an empty signal, more than
            :data:`MAX_CHANNELS` channels (with a hint to transpose a ``(time, channel)`` array),
            NaN/Inf samples or samples beyond :data:`MAX_ABS_SAMPLE`.

    Example:
        >>> as_waveform([0.0, 0.5, -0.5]).shape
        torch.Size([1, 3])
        >>> as_waveform(np.zeros((16000, 2)))
        Traceback (most recent call last):
        ...
        ValueError: waveform has shape (16000, 2), which reads as 16000 channels of 2 samples; audioviz expects (channel, time): pass waveform.T
    """
    import torch

    if isinstance(waveform, torch.Tensor):
        tensor = waveform.detach()
    else:
        try:
            array = np.asarray(waveform)
        except Exception as exc:  # pragma: no cover - numpy's own message is kept
            raise TypeError(f"{name} must be a torch Tensor or numpy array, got {type(waveform).__name__}") from exc
        if array.dtype == np.uint8:
            array = (array.astype(np.float32) - 128.0) / 128.0
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"{name} must hold numbers (float or integer PCM), got an array of dtype {array.dtype}"
            )
        if array.ndim == 0:
            # checked here because np.ascontiguousarray below would make it 1-D
            raise ValueError(f"{name} must have shape (time,) or (channel, time), got shape () (a single number)")
        if array.dtype.kind == "u":
            raise TypeError(f"{name} has unsigned dtype {array.dtype}; only uint8 PCM is understood")
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.dtype == torch.bool:
        raise TypeError(f"{name} must hold numbers, got a boolean tensor")
    if tensor.is_complex():
        raise TypeError(f"{name} must be real, got complex dtype {tensor.dtype}")
    bits = _PCM_BITS.get(str(tensor.dtype).removeprefix("torch."))
    if bits is not None:
        tensor = tensor.to(torch.float64) / 2.0**bits
    if tensor.dim() == 1:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() != 2:
        raise ValueError(
            f"{name} must have shape (time,) or (channel, time), got shape {tuple(tensor.shape)}"
        )
    if tensor.shape[-1] == 0 or tensor.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(tensor.shape)}); expected at least one sample")
    check_channels(tensor, name=name)
    tensor = tensor.to(torch.float32)
    if check_finite:
        check_values(tensor, name=name)
    return tensor.contiguous()


def check_channels(tensor: torch.Tensor, *, name: str = "waveform") -> None:
    """Refuse a ``(channel, time)`` tensor with more than :data:`MAX_CHANNELS` channels, saying
    when it is most likely a ``(time, channel)`` array that needs transposing."""
    n_channels, n_samples = tensor.shape
    if n_channels <= MAX_CHANNELS:
        return
    shape = f"shape ({n_channels}, {n_samples})"
    if n_samples <= MAX_CHANNELS and n_samples < n_channels:
        raise ValueError(f"{name} has {shape}, which reads as {n_channels} channels of {n_samples} samples; "
                         f"audioviz expects (channel, time): pass {name}.T")
    raise ValueError(f"{name} has {shape}: {n_channels} channels, more than the {MAX_CHANNELS} audioviz "
                     f"draws; expected (channel, time): pick the channels to show, e.g. {name}[:2]")


def check_values(tensor: torch.Tensor, *, name: str = "waveform") -> None:
    """Refuse NaN, Inf and samples beyond :data:`MAX_ABS_SAMPLE`, naming ``name``.

    One pass (``aminmax``, NaN and Inf propagate); only a bad signal pays for the count.
    """
    import torch

    low, high = (float(v) for v in torch.aminmax(tensor))
    if not (math.isfinite(low) and math.isfinite(high)):
        check_all_finite(tensor, name=name)
    peak = max(-low, high)
    if peak > MAX_ABS_SAMPLE:
        raise ValueError(f"{name} has samples as large as {peak:.3g}; expected audio amplitudes (about [-1, 1], "
                         f"at most {MAX_ABS_SAMPLE:.0e} in magnitude): divide {name} by its peak")


def check_all_finite(tensor: torch.Tensor, *, name: str = "waveform") -> None:
    """Raise naming ``name`` and the count of NaN/Inf samples, if there are any."""
    import torch

    bad = ~torch.isfinite(tensor)
    n_bad = int(bad.sum())
    if n_bad:
        first = int(bad.flatten().nonzero()[0]) % tensor.shape[-1]
        raise ValueError(
            f"{name} contains {n_bad} NaN or Inf samples out of {tensor.numel()} (the first at sample {first}); "
            f"expected finite values"
        )


def as_mono(waveform, *, name: str = "waveform", check_finite: bool = True) -> torch.Tensor:
    """:func:`as_waveform`, with several channels mixed into one (their mean): shape ``(1, time)``.

    This is audioviz's one rule for several channels in everything that draws a waveform or
    something computed from it (see the API page).

    Example:
        >>> import torch
        >>> as_mono(torch.tensor([[1.0, 0.0], [0.0, 1.0]])).tolist()
        [[0.5, 0.5]]
    """
    wave = as_waveform(waveform, name=name, check_finite=check_finite)
    return wave.mean(dim=0, keepdim=True) if wave.shape[0] > 1 else wave


def check_sample_rate(sample_rate, *, name: str = "sample_rate") -> int:
    """Return ``sample_rate`` as a positive int, or raise naming it."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, numbers.Real):
        raise TypeError(f"{name} must be a positive number of samples per second, got {sample_rate!r}")
    if not np.isfinite(float(sample_rate)) or sample_rate <= 0:
        raise ValueError(f"{name} must be > 0 (samples per second), got {sample_rate!r}")
    if sample_rate > MAX_SAMPLE_RATE:
        raise ValueError(f"{name} must be at most {MAX_SAMPLE_RATE:.0e} samples per second, got {sample_rate!r}")
    if float(sample_rate) != int(sample_rate):
        raise ValueError(f"{name} must be a whole number of samples per second, got {sample_rate!r}")
    return int(sample_rate)


#: Largest FFT size and number of mel filters accepted: far beyond any useful setting (2**18
#: samples is 16 s at 16 kHz), small enough that a typo cannot make audioviz allocate gigabytes.
MAX_N_FFT = 2**18
MAX_N_MELS = 4096


def check_positive_int(value, *, name: str, maximum: int | None = None) -> int:
    """Return ``value`` as an int in ``[1, maximum]``, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
    return int(value)


def check_stft_params(n_fft, win_length, hop_length) -> tuple[int, int, int]:
    """Resolve torchaudio's derived defaults and check the STFT sizes.

    ``win_length`` defaults to ``n_fft`` and ``hop_length`` to ``win_length // 2``.
    """
    n_fft = check_positive_int(n_fft, name="n_fft", maximum=MAX_N_FFT)
    win_length = n_fft if win_length is None else check_positive_int(win_length, name="win_length")
    if win_length > n_fft:
        raise ValueError(f"win_length must be <= n_fft ({n_fft}), got {win_length}")
    hop_length = max(win_length // 2, 1) if hop_length is None else check_positive_int(hop_length, name="hop_length")
    if hop_length > n_fft:
        raise ValueError(f"hop_length must be <= n_fft ({n_fft}), got {hop_length}")
    return n_fft, win_length, hop_length


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond float's range
        return False


#: The narrowest frequency range accepted, in Hz: a millihertz, far below any FFT bin of audio (a
#: 16 kHz clip's bins are 0.24 Hz apart at n_fft=65536); a range of 1e-149 Hz gave an axis that
#: matplotlib cannot draw (identical limits).
MIN_BAND_HZ = 1e-3


def check_freq_range(f_min, f_max, sample_rate: int) -> tuple[float, float]:
    """Resolve ``f_max=None`` to Nyquist and check ``0 <= f_min < f_max <= sample_rate / 2``, with
    ``f_max`` at least :data:`MIN_BAND_HZ` above ``f_min``."""
    nyquist = sample_rate / 2
    if f_min is None:
        f_min = 0.0
    f_max = nyquist if f_max is None else f_max
    for name, value in (("f_min", f_min), ("f_max", f_max)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not _finite(value):
            raise TypeError(f"{name} must be a finite frequency in Hz, got {value!r}")
    if f_min < 0:
        raise ValueError(f"f_min must be >= 0 Hz, got {f_min}")
    if f_max > nyquist:
        raise ValueError(
            f"f_max must be <= the Nyquist frequency sample_rate / 2 = {nyquist:g} Hz, got {f_max:g}"
        )
    if f_min >= f_max:
        raise ValueError(f"f_min must be < f_max, got f_min={f_min:g} Hz and f_max={f_max:g} Hz")
    if f_max - f_min < MIN_BAND_HZ:
        # narrower than any FFT bin: nothing to show, and an axis that narrow is drawn collapsed
        raise ValueError(f"f_max must be at least {MIN_BAND_HZ:g} Hz above f_min, got f_min={f_min:g} Hz and "
                         f"f_max={f_max:g} Hz")
    return float(f_min), float(f_max)


def _is_choice(value, choice) -> bool:
    if value is choice:
        return True
    try:
        same = value == choice
    except Exception:  # noqa: BLE001 - an odd object's comparison is no match
        return False
    return isinstance(same, bool) and same  # an array compares element-wise: no match


def check_power(power) -> float:
    """Return the STFT exponent ``power`` as 1.0 (magnitude) or 2.0 (power), or raise naming it."""
    if isinstance(power, bool) or not any(_is_choice(power, p) for p in (1, 2)):
        raise ValueError(f"power must be 1.0 (magnitude) or 2.0 (power), got {power!r}")
    return float(power)


def check_flag(value, *, name: str) -> bool:
    """Return ``value`` as a bool if it is ``True``/``False`` (numpy's too), or raise naming it."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_top_db(top_db):
    """Return ``top_db`` (a positive number of dB, or ``None`` for no floor), or raise naming it."""
    if top_db is None:
        return None
    if isinstance(top_db, bool) or not isinstance(top_db, numbers.Real):
        raise TypeError(f"top_db must be a positive number of dB or None, got {top_db!r}")
    if not top_db > 0:  # also refuses NaN
        raise ValueError(f"top_db must be a positive number of dB or None, got {top_db!r}")
    return float(top_db)


def check_choice(value, choices, *, name: str):
    """Return ``value`` if it is one of ``choices``, or raise a ValueError naming ``name``."""
    if not any(_is_choice(value, choice) for choice in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_axes(ax):
    """Return ``ax`` or the current Axes; a non-Axes argument is a TypeError."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    if ax is None:
        return plt.gca()
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def warn_user(message: str, category=UserWarning) -> None:
    """Warn, pointing at the first line outside audioviz (the learner's own call), however deep
    inside the package the problem was found."""
    frame = sys._getframe(1)
    level = 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def plain_text(text) -> str:
    """``text`` escaped so matplotlib draws it as typed: a ``$`` in a user's title, file name or
    word is a dollar sign, never the start of math markup (and never a parse error).

    Example:
        >>> print(plain_text("price_$5$.wav"))
        price_\\$5\\$.wav
    """
    return str(text).replace("$", r"\$")
