"""Opening up the keyword classifier.

- :class:`Inference`: one clip run through the model once - its input, the log-mel, every block's
  maps, the logits, the answer and Grad-CAM's gradients. Every display below reads it
  (``from_inference``), so a clip is prepared and run through the network once.
- :class:`FeatureMapDisplay` (and :func:`layer_outputs`): what every convolution layer responds to
  in one clip, on true time and mel axes.
- :class:`GradCAMDisplay` (and :func:`grad_cam`): where in the log-mel image the evidence for each
  word is, computed with captum's ``LayerGradCam``.
- :class:`ListeningDisplay` (and :func:`resynthesize_masked`): audio resynthesised with Griffin-Lim
  from the spectrogram masked by Grad-CAM, beside the original.
- :class:`ListeningTimelineDisplay` (and :func:`synthesize_recording`): the model listening to a
  longer recording through a sliding window: its answer over time, detections and false alarms
  per minute.
- :class:`ConfusionMatrixDisplay`, :class:`MistakesDisplay`, :class:`TrainingCurvesDisplay`: how
  well it does, where it fails, how it learned.
- :class:`FeatureMapExplorer`: a widget to walk through the layers and channels.

Each display is computed once (``from_model`` and friends) and drawn with ``.plot(ax=None)``,
which returns the display with its artists on attributes ending in ``_``.

``ax=None`` here means a **new figure**, as in scikit-learn's Display objects, because most of
these displays draw several panels. (In :mod:`audioviz.display`, whose helpers draw one image,
``ax=None`` means the current Axes, as in librosa.) Pass Axes to draw into a figure of your own.

The network's outputs are ``model.labels``: the keywords (``model.words``) and, for an open-set
model, ``"_unknown_"`` and ``"_silence_"``, both answered as ``"neither"``. Displays name every
class and show the probability of each. The command
``audioviz explain`` writes the Grad-CAM and feature-map figure for one audio file.
"""
from ._explorer import FeatureMapExplorer
from ._feature_maps import FeatureMapDisplay, layer_outputs
from ._gradcam import GradCAMDisplay, grad_cam
from ._inference import Inference
from ._listen import ListeningDisplay, resynthesize_masked
from ._metrics import ConfusionMatrixDisplay, MistakesDisplay, TrainingCurvesDisplay
from ._timeline import ListeningTimelineDisplay, SyntheticRecording, synthesize_recording

__all__ = [
    "ConfusionMatrixDisplay",
    "FeatureMapDisplay",
    "FeatureMapExplorer",
    "GradCAMDisplay",
    "Inference",
    "ListeningDisplay",
    "ListeningTimelineDisplay",
    "MistakesDisplay",
    "SyntheticRecording",
    "TrainingCurvesDisplay",
    "grad_cam",
    "layer_outputs",
    "resynthesize_masked",
    "synthesize_recording",
]
