"""Slider explorers: change a parameter and see at once what it does.

:class:`SpectrogramExplorer` and :class:`MelExplorer` are live ipywidgets explorers for notebooks.
Each builds its figure once and, on a control change, recomputes only what changed, updates the
drawn artists in place and redraws only the Axes that changed. :class:`Explorer` is the base they
share, meant for subclassing (the classifier's :class:`~audioviz.explain.FeatureMapExplorer` is
one). :meth:`Explorer.static` freezes any explorer into a :class:`StaticSliders` page whose
sliders keep working where no Python runs: a saved HTML file, the tutorial site, a notebook
opened without a kernel.

Inside the package: ``_base`` (the Explorer and what every explorer shares), ``_blit`` (partial
redraw), ``_nearest`` (nearest-neighbour images drawn by index lookup), ``_backend`` (inline and
ipympl figures, picture encoding), ``_controls`` (sliders and status lines), ``_columns``
(computing only the columns shown), ``_static`` (static sliders), and one module per explorer
(``_spectrogram``, ``_mel``).
"""
from ._base import Explorer
from ._mel import MelExplorer
from ._spectrogram import CMAP_CHOICES, N_FFT_CHOICES, Y_AXIS_CHOICES, SpectrogramExplorer
from ._static import StaticSliders

__all__ = ["CMAP_CHOICES", "Explorer", "MelExplorer", "N_FFT_CHOICES", "SpectrogramExplorer", "StaticSliders",
           "Y_AXIS_CHOICES"]
