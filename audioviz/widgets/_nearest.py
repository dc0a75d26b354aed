"""Nearest-neighbour images drawn at the cost of an index lookup, with Agg's own pixels.

Drawing an explorer's image is most of a slider step: matplotlib resamples the data to the
Axes' pixels with Agg (about 2 ms for an 800 x 340 figure's image) and then an all-ones mask the
same way (another 2 ms), to learn which pixels the image covers. With
``interpolation="nearest"`` each output pixel is one data cell, or nothing, and which cell
depends only on the shapes and the transform, not on the values. :func:`fast_resampling` asks
Agg once per geometry which cell lands on each pixel (by resampling an image of cell numbers,
and the all-ones mask to check that every pixel is one whole cell or empty) and answers each
later resampling of that geometry with an index lookup. Agg's sampler picks the cells, so the
picture is the same to the bit; any other case (another interpolation, alpha, a curved
transform, a pixel blended from several cells) goes to matplotlib unchanged.
"""
from __future__ import annotations

import contextlib
from collections import OrderedDict

import matplotlib.image
import numpy as np

#: Geometries (data shape, output shape, transform) whose sample indices are kept (about 1.4 MB
#: each for an explorer's image): a slider moved back and forth finds them.
KEPT_GEOMETRIES = 8

#: Largest image (in cells) looked up; a larger one goes to matplotlib (finding its indices
#: would hold a float64 copy of it).
MAX_CELLS = 1 << 22

_indices: OrderedDict = OrderedDict()
#: False: every image goes through matplotlib's own resampling (the tests compare the two).
enabled = True


def _sample_indices(resample, image_obj, shape, out_shape, transform):
    """``(cells, empty)``: for each output pixel the flat index of the data cell Agg's
    nearest-neighbour sampler puts there, and the pixels the image does not cover (None when it
    covers them all); None when the transform is not affine or a pixel is not one whole cell.
    Found by resampling an image of the cell numbers once per geometry (the sampler picks cells
    the same way whatever they hold; float64 holds the numbers exactly)."""
    if not transform.is_affine or shape[0] * shape[1] > MAX_CELLS:
        return None
    # matplotlib flips an origin="upper" image once more inside its resampling: part of the key
    key = (shape, out_shape, transform.get_matrix().tobytes(), image_obj.origin)
    if key in _indices:
        _indices.move_to_end(key)
        return _indices[key]
    cells = np.arange(1, shape[0] * shape[1] + 1, dtype=np.float64).reshape(shape)
    sampled = resample(image_obj, cells, out_shape, transform)
    covered = resample(image_obj, np.ones(shape, np.float32), out_shape, transform, resample=True)
    found = None
    whole = (covered == 1) & (sampled == np.round(sampled)) & (sampled >= 1)
    if np.all(whole | ((covered == 0) & (sampled == 0))):  # every pixel one whole cell, or empty
        empty = sampled == 0
        found = (np.maximum(sampled, 1).astype(np.intp) - 1, empty if empty.any() else None)
    _indices[key] = found
    while len(_indices) > KEPT_GEOMETRIES:
        _indices.popitem(last=False)
    return found


def _lookup(data, indices):
    """What Agg's sampler gives for ``data``: the cells at ``indices``, 0 where uncovered."""
    flat, empty = indices
    out = data.reshape(-1).take(flat)
    if empty is not None:
        out[empty] = 0
    return out


@contextlib.contextmanager
def fast_resampling():
    """Within the block, matplotlib's nearest-neighbour resampling of covered, axis-aligned
    2-D images is an index lookup (see the module docstring); everything else is unchanged."""
    original = getattr(matplotlib.image, "_resample", None)
    if not enabled or original is None:
        yield
        return

    def resample(image_obj, data, out_shape, transform, *args, **kwargs):
        # `_resample` is private: any call unlike (image_obj, data, out_shape, transform, *,
        # resample=None, alpha=1), its signature in matplotlib 3.11, goes to it untouched
        if (not args and set(kwargs) <= {"resample", "alpha"} and kwargs.get("alpha", 1) == 1
                and getattr(data, "ndim", 0) == 2 and data.dtype.kind == "f"
                and image_obj.get_interpolation() == "nearest"):
            indices = _sample_indices(original, image_obj, data.shape, tuple(out_shape), transform)
            if indices is not None:
                return _lookup(data, indices)
        return original(image_obj, data, out_shape, transform, *args, **kwargs)

    matplotlib.image._resample = resample
    try:
        yield
    finally:
        matplotlib.image._resample = original
